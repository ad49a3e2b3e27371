package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogException;
import dev.airlock.audit.AuditRecord;
import dev.airlock.server.backend.TestBundles;
import dev.airlock.server.gateway.TestAppliance;
import dev.airlock.server.intake.ExternalServers;
import dev.airlock.server.intake.ReviewIntake;
import dev.airlock.server.review.ModelReviews;
import dev.airlock.server.trust.TrustAdmin;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of change this branch added, made while the audit log cannot write: refused, and the
 * change absent, nothing half made (activation is in InsiderTest; confirmations in
 * ConfirmFailClosedTest).
 */
class AuditFailureLeavesNothingTest {
  @TempDir Path dir;

  @Test
  void registrationsReviewsAndRevocationsAreNotMadeWithoutTheirRecords() throws Exception {
    int port = TestAppliance.freePort();
    TestBundles bundles = TestBundles.trustedIn(dir.resolve("data"), dir.resolve("bundles"));
    // Small segments, so the log soon has to create a new file in its storage.
    try (TestAppliance app = TestAppliance.start(dir, List.of(port), Map.of("airlock.audit.segment-bytes", 4096))) {
      Vault vault = app.bean(Vault.class);
      ModelVersion imported = bundles.importDirectory(vault, bundles.tinyLlamaDirectory("waiting"), "waiting", "1.0");
      ModelVersion approved = TestBundles.approve(vault, bundles.importDirectory(vault,
          bundles.tinyLlamaDirectory("approved"), "approved", "1.0"));
      breakTheLog(app);
      long records = app.auditLog().size();

      assertThatThrownBy(() -> app.bean(ExternalServers.class).register(new ExternalServers.Registration("unrecorded",
          "1.0", null, List.of("http://127.0.0.1:" + port), "Example Labs", "FR", null, "Apache-2.0", null, null),
          "user:ops")).isInstanceOf(AuditLogException.class);
      assertThat(vault.catalog().find("unrecorded", "1.0")).as("registration rolled back").isEmpty();

      assertThatThrownBy(() -> app.bean(ModelReviews.class).review(imported.id(), "dpo-1"))
          .isInstanceOf(AuditLogException.class);
      assertThat(app.bean(ReviewIntake.class).reviewWaiting()).isZero();
      assertThat(vault.catalog().find(imported.id()).orElseThrow().state()).isEqualTo(LifecycleState.IMPORTED);
      assertThat(app.bean(ModelReviews.class).reviews(imported.id())).isEmpty();

      assertThatThrownBy(() -> app.bean(TrustAdmin.class).revoke("org-transfer", "private key leaked", "user:security"))
          .isInstanceOf(AuditLogException.class);
      assertThat(vault.trust().find("org-transfer").orElseThrow().isRevoked()).isFalse();
      assertThat(vault.catalog().find(approved.id()).orElseThrow().state()).as("not suspended")
          .isEqualTo(LifecycleState.APPROVED);

      assertThat(app.auditLog().size()).isEqualTo(records);
    }
  }

  /** Replaces the log's directory by a file, then appends until the log has to open a new segment and cannot. */
  private static void breakTheLog(TestAppliance app) throws Exception {
    AuditLog log = app.auditLog();
    Path auditDir = log.directory();
    Files.move(auditDir, auditDir.resolveSibling("audit-moved"));
    Files.writeString(auditDir, "not a directory any more");
    for (int i = 0; i < 1000; i++) {
      try {
        log.append(AuditRecord.builder("test.filler").actor(Actor.system("test")).build());
      } catch (AuditLogException e) {
        return;
      }
    }
    throw new AssertionError("the audit log kept writing after its directory was replaced by a file");
  }
}
