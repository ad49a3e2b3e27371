package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.policy.PolicyFile;
import dev.airlock.policy.PolicyStore;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Sessions;
import dev.airlock.server.auth.Users;
import dev.airlock.server.changes.PendingChanges;
import dev.airlock.server.gateway.TestAppliance;
import dev.airlock.vault.Vault;
import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.SigningKey;
import dev.airlock.vault.signing.VerifyingKey;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No policy or trust change without its audit record: when the log cannot write, nothing changes
 * and nothing is proposed. (Confirming a proposal when the log fails: {@code changes.ConfirmFailClosedTest}.)
 */
class OperatorChangesFailClosedTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void policySavesAndTrustChangesAreRefusedWhenTheAuditLogCannotRecordThem() throws Exception {
    // Small segments, so the log soon has to create a new file in its storage.
    try (TestAppliance app = TestAppliance.start(dir, List.of(), Map.of("airlock.audit.segment-bytes", 4096))) {
      Users users = app.server.getApplicationContext().getBean(Users.class);
      Users.Created admin = users.create("ada", "Ada", EnumSet.of(Role.ADMIN), "test");
      users.changePassword("ada", admin.oneTimePassword().toCharArray(), "ada-long-passphrase".toCharArray());
      String token = app.server.getApplicationContext().getBean(Sessions.class).open("ada").token();
      PendingChanges changes = app.server.getApplicationContext().getBean(PendingChanges.class);
      Path auditDir = app.auditLog().directory();
      Files.move(auditDir, auditDir.resolveSibling("audit-moved"));
      Files.writeString(auditDir, "not a directory any more");
      PolicyStore store = app.server.getApplicationContext().getBean(PolicyStore.class);
      String pack = PolicyFile.pack("permissive-only").source();

      String refusedName = null;
      for (int i = 0; i < 60 && refusedName == null; i++) {
        String name = "fail-closed-" + i;
        HttpResponse<String> r = post(app, token, "/admin/policy", "application/yaml",
            pack.replace("name: permissive-only", "name: " + name));
        if (r.statusCode() == 201) continue;
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(JSON.readTree(r.body()).path("error").path("code").asText()).isEqualTo("audit_unavailable");
        refusedName = name;
      }
      assertThat(refusedName).as("a save refused once the log could not write").isNotNull();
      assertThat(store.versions(refusedName)).isEmpty();

      String pem = VerifyingKey.canonicalPem(SigningKey.generate(Curve.P256).verifyingKey().publicKey());
      HttpResponse<String> trust = post(app, token, "/admin/trust", "application/json",
          JSON.writeValueAsString(Map.of("name", "unrecorded", "role", "transfer", "pem", pem)));
      assertThat(trust.statusCode()).isEqualTo(503);
      assertThat(app.server.getApplicationContext().getBean(Vault.class).trust().find("unrecorded")).isEmpty();
      assertThat(changes.pending()).as("a proposal the log cannot record is not kept").isEmpty();
    }
  }

  private static HttpResponse<String> post(TestAppliance app, String token, String path, String type, String body)
      throws Exception {
    return app.http.send(HttpRequest.newBuilder(app.url(path)).header("authorization", "Bearer " + token)
        .header("content-type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
