package dev.airlock.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.catalog.Catalog;
import dev.airlock.vault.catalog.CatalogFile;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.Provenance;
import dev.airlock.vault.catalog.PublisherSignature;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model served from the vault is served only while the vault's catalog says ACTIVE. */
class VaultCatalogActivationTest {
  @TempDir Path dir;

  @Test
  void onlyAnApprovedVersionCanBeActivatedAndARevokedOneStopsBeingServed() throws Exception {
    int port = TestAppliance.freePort();
    try (TestAppliance appliance = TestAppliance.start(dir, List.of(port), Map.of())) {
      Process backend = appliance.standIn.startExternal("granite-8b", port);
      try {
        Catalog catalog = new Catalog(appliance.server.getApplicationContext().getBean(ApplianceDatabase.class).dataSource(),
            Clock.systemUTC());
        Instant now = Instant.now();
        Provenance provenance = new Provenance("Example Labs", "FR", Optional.empty(), "bundle-1",
            Sha256.of("bundle-1".getBytes()).hex(), now, "org-transfer", "aa", PublisherSignature.absent(), now, "ops");
        byte[] weights = "weights".getBytes();
        String versionId = catalog.recordImport(new Catalog.NewVersion("granite-8b", "1.0", weights.length, provenance,
            List.of(new CatalogFile("model/model.safetensors", weights.length, Sha256.of(weights))), Optional.empty())).versionId();
        Map<String, Object> activation = new HashMap<>(Map.of("backend", "external",
            "endpoints", List.of("http://127.0.0.1:" + port), "catalogModel", "granite-8b", "catalogVersion", "1.0"));

        TestAppliance.Answer early = appliance.admin("PUT", "/admin/models/granite-8b", activation);
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.body().path("error").path("code").asText()).isEqualTo("version_not_servable");
        assertThat(early.body().path("error").path("message").asText())
            .isEqualTo("granite-8b 1.0 is IMPORTED in the vault; a DPO must approve it before it can be served"
                + " (only an APPROVED or already ACTIVE version can be activated)");

        catalog.transition(versionId, LifecycleState.UNDER_REVIEW, "dpo-1", Optional.empty());
        catalog.transition(versionId, LifecycleState.APPROVED, "dpo-2", Optional.of("licence and provenance reviewed"));
        int before = appliance.auditCount();
        assertThat(appliance.admin("PUT", "/admin/models/granite-8b", activation).status()).isEqualTo(200);
        assertThat(catalog.find(versionId).orElseThrow().state()).isEqualTo(LifecycleState.ACTIVE);
        List<ObjectNode> records = appliance.auditRecordsSince(before);
        assertThat(records).extracting(r -> r.path("type").asText()).containsExactly("model.lifecycle", "model.activated");
        assertThat(records.get(0).path("fields").path("from").asText()).isEqualTo("APPROVED");
        assertThat(records.get(0).path("fields").path("to").asText()).isEqualTo("ACTIVE");
        assertThat(records.get(1).path("fields").path("catalogVersionId").asText()).isEqualTo(versionId);

        JsonNode app = appliance.createApp("analyst", List.of("granite-8b"), Map.of());
        String key = app.path("key").path("secret").asText();
        appliance.awaitHealthy("granite-8b", 1);
        HttpRequest models = HttpRequest.newBuilder(appliance.url("/v1/models")).header("authorization", "Bearer " + key).build();
        assertThat(appliance.http.send(models, HttpResponse.BodyHandlers.ofString()).body()).contains("\"id\":\"granite-8b\"");

        // The vault revokes the version: the gateway stops serving it at its next refresh.
        catalog.transition(versionId, LifecycleState.REVOKED, "security", Optional.of("signing key compromised"));
        appliance.supervisor().refreshActivations();
        assertThat(appliance.http.send(models, HttpResponse.BodyHandlers.ofString()).body()).doesNotContain("granite-8b");
        HttpResponse<String> chat = appliance.http.send(HttpRequest.newBuilder(appliance.url("/v1/chat/completions"))
            .header("authorization", "Bearer " + key)
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"granite-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(chat.statusCode()).isEqualTo(404);
        assertThat(appliance.supervisor().replicas()).doesNotContainKey("granite-8b");
      } finally {
        backend.destroyForcibly();
      }
    }
  }
}
