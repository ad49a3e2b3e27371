package dev.airlock.installer;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditRecord;
import dev.airlock.audit.PendingRecords;
import dev.airlock.vault.trust.TrustAnchor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The audit records of what the CLI changes in a stopped server's data directory (imports, trust
 * entries). The CLI does not write the audit log, which is the server's: it leaves each record,
 * durably, for the log to append when the server next opens it ({@link PendingRecords}). The types
 * are the server's own for the same change, the fields those the CLI knows, plus {@code via: cli}
 * and the person who ran the command as {@code username} (encrypted, never an index field).
 */
final class OfflineAudit {
  static final Actor ACTOR = Actor.system("airlock-cli");

  private OfflineAudit() {}

  static void leave(Path dataDir, String type, String status, String username, Map<String, Object> details)
      throws IOException {
    Map<String, Object> d = new LinkedHashMap<>(details);
    d.put("via", "cli");
    d.put("username", username);
    Path auditDir = AuditLog.directoryIn(dataDir);
    try {
      PendingRecords.leave(auditDir, AuditRecord.ofDetails(type, ACTOR, status, d));
    } catch (IOException e) {
      throw new IOException("cannot leave the audit record of this change in " + auditDir.resolve(PendingRecords.DIRECTORY)
          + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
  }

  /**
   * For {@code TrustStore.recordChangesWith}: {@code trust.added} or {@code trust.revoked}, left
   * before the change is saved (if it cannot be left, the change is not made).
   */
  static void trustChange(Path dataDir, TrustAnchor entry, boolean revoked) throws IOException {
    Map<String, Object> d = entry.auditDetails();
    try {
      leave(dataDir, revoked ? "trust.revoked" : "trust.added", "ok", System.getProperty("user.name"), d);
    } catch (IOException e) {
      throw new IOException(e.getMessage() + "; nothing was changed", e);
    }
  }
}
