package dev.airlock.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.server.api.ReviewStand;
import dev.airlock.server.auth.Role;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.LifecycleState;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An external server is a catalog entry of its own kind: registered, reviewed, approved by the
 * DPOs like a bundle, and only then served, at the endpoints it was approved with, and only while
 * the vault says ACTIVE.
 */
class VaultCatalogActivationTest {
  @TempDir Path dir;

  @Test
  void aRegisteredExternalServerIsServedOnlyOnceTheDposApproveItAndStopsWhenRevoked() throws Exception {
    int port = TestAppliance.freePort();
    {
      try (TestAppliance open = TestAppliance.start(dir, List.of(port), Map.of());
           ReviewStand people = ReviewStand.on(open)) {
        Process backend = open.standIn.startExternal("granite-8b", port);
        try {
          people.user("ops", Set.of(Role.ADMIN));
          String ops = people.token("ops");
          String register = ReviewStand.JSON.writeValueAsString(Map.of("model", "granite-8b", "version", "1.0",
              "endpoints", List.of("http://127.0.0.1:" + port), "publisher", "Example Labs", "originCountry", "fr",
              "license", "Apache-2.0"));

          HttpResponse<String> offList = people.send("POST", "/admin/externals", Optional.of(ops),
              register.replace(":" + port, ":1"));
          assertThat(offList.statusCode()).isEqualTo(400);
          assertThat(ReviewStand.JSON.readTree(offList.body()).path("error").path("message").asText())
              .isEqualTo("endpoint 127.0.0.1:1 is not in airlock.gateway.external-allowlist; the gateway contacts only"
                  + " allowlisted backends. Add it there first.");

          int before = open.auditCount();
          HttpResponse<String> created = people.send("POST", "/admin/externals", Optional.of(ops), register);
          assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
          JsonNode entry = ReviewStand.JSON.readTree(created.body());
          String versionId = entry.path("catalogVersionId").asText();
          assertThat(entry.path("state").asText()).isEqualTo("UNDER_REVIEW");
          assertThat(entry.path("externalServer").path("statement").asText()).startsWith("Airlock does not hold this"
              + " model's weights");
          // The first review of a fresh appliance activates the shipped default policy, and says so.
          assertThat(open.auditRecordsSince(before)).extracting(r -> r.path("type").asText())
              .containsExactly("model.lifecycle", "admin.external.registered", "policy.activated", "model.reviewed");
          Vault vault = open.bean(Vault.class);
          assertThat(vault.catalog().files(versionId)).extracting(f -> f.path())
              .containsExactly("model/README.md", "model/airlock-external-server.json");

          // Not approved yet: refused, nothing moves, nothing recorded.
          int beforeEarly = open.auditCount();
          TestAppliance.Answer early = open.admin("PUT", "/admin/models/granite-8b", Map.of("catalogVersionId", versionId));
          assertThat(early.status()).isEqualTo(409);
          assertThat(early.body().path("error").path("message").asText())
              .isEqualTo("granite-8b 1.0 is UNDER_REVIEW in the vault; a DPO must approve it before it can be served"
                  + " (only an APPROVED or already ACTIVE version can be activated)");
          assertThat(open.auditCount()).isEqualTo(beforeEarly);

          int required = entry.path("requiredApprovals").asInt();
          for (int i = 1; i <= required; i++) {
            people.user("dpo-" + i, Set.of(Role.DPO));
            HttpResponse<String> approved = people.send("POST", "/admin/reviews/" + versionId + "/approve",
                Optional.of(people.token("dpo-" + i)), "{\"justification\":\"license and provenance checked\"}");
            assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
          }
          assertThat(vault.catalog().find(versionId).orElseThrow().state()).isEqualTo(LifecycleState.APPROVED);
          // What the DPOs read: the page and the approval record say the weights are not here.
          dev.airlock.server.console.ConsoleClient console = new dev.airlock.server.console.ConsoleClient(open.url("/"));
          assertThat(console.signIn("dpo-1", ReviewStand.password("dpo-1")).statusCode()).isEqualTo(303);
          assertThat(console.get("/console/reviews/" + versionId).body()).contains("A registered external server")
              .contains("Airlock does not hold this model&#39;s weights").contains("http://127.0.0.1:" + port);
          assertThat(console.get("/console/reviews/" + versionId + "/record").body()).contains("id=\"external-server\"")
              .contains("Judged without an organization profile.");

          dev.airlock.server.console.ConsoleClient opsConsole = new dev.airlock.server.console.ConsoleClient(open.url("/"));
          assertThat(opsConsole.signIn("ops", ReviewStand.password("ops")).statusCode()).isEqualTo(303);
          String modelsPage = opsConsole.get("/console/models").body();
          assertThat(modelsPage).contains("value=\"" + versionId + "\"").contains("value=\"granite-8b\"")
              .contains("<option value=\"external\">external (a registered server)</option>")
              .doesNotContain("<option value=\"vllm\">");
          TestAppliance.Answer renamed = open.admin("PUT", "/admin/models/other-name", Map.of("catalogVersionId", versionId));
          assertThat(renamed.status()).isEqualTo(400);
          assertThat(renamed.body().path("error").path("message").asText()).isEqualTo("granite-8b 1.0 answers as"
              + " 'granite-8b' at its server, so it is activated under that id (PUT /admin/models/granite-8b); point"
              + " an alias at it for other names");

          int beforeActivation = open.auditCount();
          TestAppliance.Answer activated = open.admin("PUT", "/admin/models/granite-8b", Map.of("catalogVersionId", versionId));
          assertThat(activated.status()).as(activated.body().toString()).isEqualTo(200);
          assertThat(activated.body().path("endpoints").get(0).asText()).isEqualTo("http://127.0.0.1:" + port);
          assertThat(vault.catalog().find(versionId).orElseThrow().state()).isEqualTo(LifecycleState.ACTIVE);
          List<ObjectNode> records = open.auditRecordsSince(beforeActivation);
          assertThat(records).extracting(r -> r.path("type").asText()).containsExactly("model.lifecycle", "model.activated");
          assertThat(records.get(0).path("fields").path("from").asText()).isEqualTo("APPROVED");
          assertThat(records.get(0).path("fields").path("to").asText()).isEqualTo("ACTIVE");
          assertThat(records.get(1).path("fields").path("catalogVersionId").asText()).isEqualTo(versionId);

          JsonNode app = open.createApp("analyst", List.of("granite-8b"), Map.of());
          String key = app.path("key").path("secret").asText();
          open.awaitHealthy("granite-8b", 1);
          HttpRequest models = HttpRequest.newBuilder(open.url("/v1/models")).header("authorization", "Bearer " + key).build();
          assertThat(open.http.send(models, HttpResponse.BodyHandlers.ofString()).body()).contains("\"id\":\"granite-8b\"");

          // The vault revokes the version: the gateway stops serving it at its next refresh.
          vault.catalog().transition(versionId, LifecycleState.REVOKED, "security", Optional.of("no longer trusted"));
          open.supervisor().refreshActivations();
          assertThat(open.http.send(models, HttpResponse.BodyHandlers.ofString()).body()).doesNotContain("granite-8b");
          HttpResponse<String> chat = open.http.send(HttpRequest.newBuilder(open.url("/v1/chat/completions"))
              .header("authorization", "Bearer " + key)
              .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"granite-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
              .build(), HttpResponse.BodyHandlers.ofString());
          assertThat(chat.statusCode()).isEqualTo(404);
          assertThat(open.supervisor().replicas()).doesNotContainKey("granite-8b");
        } finally {
          backend.destroyForcibly();
        }
      }
    }
  }
}
