package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
import dev.airlock.server.changes.People;
import dev.airlock.server.gateway.TestAppliance;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No unaudited look at the audit trail: when the log cannot record a search, the page and the API answer 503 and show nothing. */
class AuditFailClosedConsoleTest {
  static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  @TempDir Path dir;

  @Test
  void aSearchTheLogCannotRecordIs503AndShowsNothing() throws Exception {
    // Small segments, so the log soon has to create a new file in its storage.
    try (TestAppliance app = TestAppliance.start(dir, List.of(), Map.of("airlock.audit.segment-bytes", 4096))) {
      People.withPassword(app.server.getApplicationContext(), "ann", "Ann", EnumSet.of(Role.AUDITOR), "ann-long-passphrase");
      ConsoleClient browser = new ConsoleClient(app.url("/"));
      assertThat(browser.signIn("ann", "ann-long-passphrase").statusCode()).isEqualTo(303);
      String token = JSON.readTree(app.http.send(HttpRequest.newBuilder(app.url("/admin/session"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"ann\",\"password\":\"ann-long-passphrase\"}"))
          .build(), HttpResponse.BodyHandlers.ofString()).body()).path("token").asText();
      assertThat(browser.get("/console/audit").body()).contains("Matching audit records");

      Path auditDir = app.auditLog().directory();
      Path moved = auditDir.resolveSibling("audit-moved");
      Files.move(auditDir, moved);
      Files.writeString(auditDir, "not a directory any more");
      try {
        HttpResponse<String> refused = null;
        for (int attempt = 0; attempt < 60 && refused == null; attempt++) {
          HttpResponse<String> r = browser.get("/console/audit");
          if (r.statusCode() != 200) refused = r;
        }
        assertThat(refused).as("a search refused once the log cannot write").isNotNull();
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("Nothing is shown: the audit log could not record this access")
            .doesNotContain("Matching audit records").doesNotContain("/console/audit/records/");

        HttpResponse<String> api = app.http.send(HttpRequest.newBuilder(app.url("/admin/audit/records"))
            .header("authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(503);
        JsonNode error = JSON.readTree(api.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("audit_unavailable");
        assertThat(error.path("message").asText()).contains("nothing was returned");
        assertThat(error.has("data")).isFalse();
      } finally {
        Files.delete(auditDir);
        Files.move(moved, auditDir);
      }
    }
  }
}
