package dev.airlock.server.changes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.AuditLogException;
import dev.airlock.audit.AuditRecord;
import dev.airlock.server.auth.Role;
import dev.airlock.server.gateway.TestAppliance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A confirmation the audit log cannot record applies nothing: the role is not given, the policy
 * not activated, the key not trusted, and the change stays pending for a later try.
 */
class ConfirmFailClosedTest {
  @TempDir Path dir;

  @Test
  void confirmingWhenTheAuditLogCannotWriteLeavesTheChangeUnappliedAndPending() throws Exception {
    // Small segments, so the log soon has to create a new file in its storage.
    try (TestAppliance app = TestAppliance.start(dir, List.of(), Map.of("airlock.audit.segment-bytes", 4096))) {
      Appliance a = new Appliance(app);
      a.bootstrap("adam", List.of("dora"), List.of());
      String adam = a.token("adam");
      String dora = a.token("dora");
      a.savedPolicy("unrecorded-policy", "adam");
      String grant = a.call(adam, "POST", "/admin/users", Map.of("username", "erin", "roles", List.of("DPO")))
          .body().at("/change/id").asText();
      String policy = a.call(adam, "POST", "/admin/policy/unrecorded-policy/versions/1/activate", null)
          .body().at("/change/id").asText();
      String key = a.call(adam, "POST", "/admin/trust", Map.of("name", "unrecorded-key", "role", "transfer",
          "pem", Appliance.newKeyPem())).body().at("/change/id").asText();

      // The audit directory becomes a file under the running server; write until the log fails.
      Path auditDir = app.auditLog().directory();
      Files.move(auditDir, auditDir.resolveSibling("audit-moved"));
      Files.writeString(auditDir, "not a directory any more");
      boolean failed = false;
      for (int i = 0; i < 200 && !failed; i++) {
        try {
          app.auditLog().append(AuditRecord.builder("test.filler").build());
        } catch (AuditLogException e) {
          failed = true;
        }
      }
      assertThat(failed).as("the log could no longer write").isTrue();

      Appliance.State before = a.state();
      for (String id : List.of(grant, policy, key)) {
        Appliance.Answer r = a.call(dora, "POST", "/admin/changes/" + id + "/confirm", null);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(503);
        assertThat(r.code()).isEqualTo("audit_unavailable");
        assertThat(r.message()).isEqualTo("The audit log cannot record this change, so it was not made. Retry later.");
        assertThat(a.changes.find(id).orElseThrow().state()).isEqualTo(PendingChange.State.PENDING);
      }
      assertThat(a.state()).isEqualTo(before);
      assertThat(a.users.find("erin").orElseThrow().roles()).doesNotContain(Role.DPO);
      assertThat(before.activePolicy()).isNotEqualTo("unrecorded-policy@1");
      assertThat(before.trusted()).doesNotContain("unrecorded-key");
      assertThat(before.changes()).hasSize(3);
    }
  }
}
