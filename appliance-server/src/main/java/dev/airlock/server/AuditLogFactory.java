package dev.airlock.server;

import dev.airlock.audit.AuditKeys;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogOptions;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The appliance's one audit log, opened when the server starts: {@code <data dir>/audit}, with its
 * keys in {@code <data dir>/secrets/audit.keys} unless configured elsewhere (keep that file off the
 * audit volume's backups).
 */
@Factory
public class AuditLogFactory {
  /** Settings under {@code airlock.audit.*}. */
  @ConfigurationProperties("airlock.audit")
  public static class AuditConfig {
    /** Names the log in its signed checkpoints; set it to the appliance's own name. */
    private String origin = "airlock.local/audit";
    private String keysFile = "";
    private long segmentBytes = AuditLogOptions.DEFAULT_SEGMENT_BYTES;

    public String getOrigin() {
      return origin;
    }

    public void setOrigin(String origin) {
      this.origin = origin;
    }

    public String getKeysFile() {
      return keysFile;
    }

    public void setKeysFile(String keysFile) {
      this.keysFile = keysFile;
    }

    public long getSegmentBytes() {
      return segmentBytes;
    }

    public void setSegmentBytes(long segmentBytes) {
      this.segmentBytes = segmentBytes;
    }
  }

  @Singleton
  @Bean(preDestroy = "close")
  AuditLog auditLog(ApplianceConfig appliance, AuditConfig config) {
    Path dataDir = appliance.getDataDir().toAbsolutePath().normalize();
    Path keysFile = config.getKeysFile().isBlank() ? dataDir.resolve("secrets").resolve("audit.keys") : Path.of(config.getKeysFile());
    try {
      java.nio.file.Files.createDirectories(keysFile.getParent());
      AuditKeys keys = AuditKeys.loadOrGenerate(keysFile, config.getOrigin());
      return AuditLog.open(AuditLog.directoryIn(dataDir), keys, AuditLogOptions.defaults().withSegmentBytes(config.getSegmentBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the audit log keys at " + keysFile
          + ": check that the data directory is writable, or set airlock.audit.keys-file", e);
    }
  }
}
