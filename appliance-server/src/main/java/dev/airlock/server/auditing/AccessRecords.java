package dev.airlock.server.auditing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogException;
import dev.airlock.audit.AuditRecord;
import java.util.Map;

/**
 * The one place this package writes to the audit log: a record of a person's access, appended
 * durably before the access is answered, or {@link AuditRefusedException}. Values given as index
 * fields must not be personal data (users and subjects go in as the log's tags).
 */
final class AccessRecords {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AccessRecords() {}

  static String requireUser(String who, String role) {
    if (who == null || who.isBlank()) {
      throw new IllegalArgumentException("the " + role + "'s username is required: every access to the audit trail is"
          + " recorded with who made it");
    }
    return who.strip();
  }

  static long append(AuditLog log, String type, String user, String status, Map<String, String> fields,
      Map<String, Object> payload) {
    AuditRecord.Builder b = AuditRecord.builder(type).actor(Actor.user(user)).status(status);
    fields.forEach(b::indexField);
    try {
      b.payload(JSON.writeValueAsBytes(payload));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    try {
      return log.append(b.build());
    } catch (AuditLogException e) {
      throw new AuditRefusedException("refused: the audit log could not record this " + type + " by '" + user + "' ("
          + e.getMessage() + "); nothing was returned. Fix the audit volume, then retry", e);
    }
  }
}
