package dev.airlock.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.airlock.server.backend.Replica;
import dev.airlock.server.backend.ServableLayout;
import dev.airlock.server.backend.TestBundles;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.CatalogFile;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vault version served by the embedded llama.cpp engine, end to end: imported from a signed
 * bundle, refused until a DPO approved it, laid out read-only from the vault, activated (APPROVED
 * -> ACTIVE), called with the official OpenAI SDK, audited, restarted after a kill -9, retired.
 */
class EmbeddedBackendTest {
  @TempDir Path dir;

  @Test
  void servesAnApprovedVaultVersionOnTheEmbeddedEngineAndRestartsItAfterAKill() throws Exception {
    TestBundles bundles = TestBundles.trustedIn(dir.resolve("data"), dir.resolve("bundles"));
    // One thread: the build machines are shared, and llama.cpp's spinning threads slow everyone down.
    try (TestAppliance appliance = TestAppliance.start(dir, List.of(),
        Map.of("airlock.engine.threads", 1, "airlock.engine.ctx-size", 512))) {
      Vault vault = appliance.server.getApplicationContext().getBean(Vault.class);
      ModelVersion version = bundles.importDirectory(vault, bundles.tinyLlamaDirectory("tiny-llama"), "tiny-llama", "1.0");
      vault.catalog().transition(version.id(), LifecycleState.UNDER_REVIEW, "dpo-1", Optional.empty());
      Map<String, Object> activation = new HashMap<>(Map.of("backend", "embedded", "catalogVersionId", version.id()));

      // Under review: refused, nothing laid out, nothing recorded as activated.
      int before = appliance.auditCount();
      TestAppliance.Answer refused = appliance.admin("PUT", "/admin/models/tiny-llama", activation);
      assertThat(refused.status()).isEqualTo(409);
      assertThat(refused.body().path("error").path("message").asText()).isEqualTo("tiny-llama 1.0 is UNDER_REVIEW in"
          + " the vault; a DPO must approve it before it can be served (only an APPROVED or already ACTIVE version"
          + " can be activated)");
      assertThat(appliance.auditRecordsSince(before)).isEmpty();
      assertThat(dir.resolve("data/serve").resolve(version.id())).doesNotExist();

      vault.catalog().transition(version.id(), LifecycleState.APPROVED, "dpo-2", Optional.of("licence reviewed"));
      TestAppliance.Answer activated = appliance.admin("PUT", "/admin/models/tiny-llama", activation);
      assertThat(activated.status()).as(activated.body().toString()).isEqualTo(200);
      Path served = dir.resolve("data/serve").resolve(version.id()).toAbsolutePath();
      assertThat(activated.body().path("backend").asText()).isEqualTo("embedded");
      assertThat(activated.body().has("vaultPath")).as("no path leaves or enters the API").isFalse();
      assertThat(served.resolve("tiny-llama.gguf")).isRegularFile();
      assertThat(activated.body().path("threads").asInt()).isEqualTo(1);
      assertThat(activated.body().path("ctxSize").asInt()).isEqualTo(512);
      assertThat(activated.body().path("catalogVersionId").asText()).isEqualTo(version.id());
      assertThat(vault.catalog().find(version.id()).orElseThrow().state()).isEqualTo(LifecycleState.ACTIVE);
      List<ObjectNode> admin = appliance.auditRecordsSince(before);
      assertThat(admin).extracting(r -> r.path("type").asText()).containsExactly("model.lifecycle", "model.activated");
      assertThat(admin.get(0).path("actor").asText()).isEqualTo("system:operator-token");
      assertThat(admin.get(0).path("fields").path("from").asText()).isEqualTo("APPROVED");
      assertThat(admin.get(0).path("fields").path("to").asText()).isEqualTo("ACTIVE");
      assertThat(admin.get(1).path("fields").path("backend").asText()).isEqualTo("embedded");

      // The servable directory: the vault's bytes, read-only.
      for (CatalogFile f : vault.catalog().files(version.id())) {
        Path p = served.resolve(f.path().substring("model/".length()));
        try (InputStream in = Files.newInputStream(p)) {
          assertThat(Sha256.of(in)).as(f.path()).isEqualTo(f.sha256());
        }
        assertThat(Files.getPosixFilePermissions(p)).isEqualTo(PosixFilePermissions.fromString("r--r--r--"));
      }
      assertThat(ServableLayout.singleGguf(served)).isEqualTo(served.resolve("tiny-llama.gguf"));

      JsonNode app = appliance.createApp("writer", List.of("tiny-llama"), Map.of());
      String key = app.path("key").path("secret").asText();
      appliance.awaitHealthy("tiny-llama", 1);
      OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(appliance.server.getURL() + "/v1")
          .maxRetries(0).timeout(Duration.ofSeconds(60)).build();

      int beforeChat = appliance.auditCount();
      HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(chat("Say hello"));
      ChatCompletion completion = raw.parse();
      assertThat(completion.model()).isEqualTo("tiny-llama");
      assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(t -> assertThat(t).isNotBlank());
      assertThat(completion.usage().orElseThrow().completionTokens()).isPositive();
      String requestId = raw.headers().values("x-request-id").get(0);
      List<ObjectNode> records = appliance.auditRecordsSince(beforeChat);
      assertThat(records).extracting(r -> r.path("type").asText() + " " + r.path("status").asText())
          .containsExactly("inference.request ok", "inference.response completed");
      assertThat(records).allSatisfy(r -> {
        assertThat(r.path("requestId").asText()).isEqualTo(requestId);
        assertThat(r.path("model").asText()).isEqualTo("tiny-llama");
      });
      assertThat(records.get(0).path("payload").path("request").path("messages").get(0).path("content").asText())
          .isEqualTo("Say hello");
      assertThat(records.get(1).path("payload").path("response").asText())
          .isEqualTo(completion.choices().get(0).message().content().orElseThrow());

      // kill -9 the engine: the supervisor sees it die, starts another, and the next request is answered.
      Replica replica = appliance.supervisor().replicas().get("tiny-llama").get(0);
      long killed = replica.pid().orElseThrow();
      new ProcessBuilder("kill", "-9", Long.toString(killed)).start().waitFor();
      TestAppliance.await(() -> replica.restarts() >= 1 && replica.healthy(), "the engine restarted and healthy");
      assertThat(replica.pid().orElseThrow()).isNotEqualTo(killed);
      // Its log (what the console shows) holds both starts' ready lines.
      TestAppliance.await(() -> readyLines(appliance, replica) >= 2, "two ready lines in the replica's log");
      assertThat(client.chat().completions().create(chat("Again")).choices().get(0).message().content())
          .hasValueSatisfying(t -> assertThat(t).isNotBlank());

      // Retired: the engine stops, the catalog says RETIRED, the servable directory is gone.
      long engine = replica.pid().orElseThrow();
      TestAppliance.Answer retired = appliance.admin("DELETE", "/admin/models/tiny-llama?retire=true", null);
      assertThat(retired.status()).as(retired.body().toString()).isEqualTo(200);
      assertThat(retired.body().path("retired").asBoolean()).isTrue();
      assertThat(vault.catalog().find(version.id()).orElseThrow().state()).isEqualTo(LifecycleState.RETIRED);
      assertThat(served).doesNotExist();
      assertThat(ProcessHandle.of(engine).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      TestAppliance.Answer again = appliance.admin("PUT", "/admin/models/tiny-llama", activation);
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.body().path("error").path("message").asText()).isEqualTo("tiny-llama 1.0 is RETIRED in the"
          + " vault; a retired version is not served again: import, review and approve a new version");
    }
  }

  @Test
  void refusesEmbeddedSettingsOutsideTheEnginesLimitsAndAVersionWithoutOneGguf() throws Exception {
    TestBundles bundles = TestBundles.trustedIn(dir.resolve("data"), dir.resolve("bundles"));
    try (TestAppliance appliance = TestAppliance.start(dir, List.of(), Map.of())) {
      Vault vault = appliance.server.getApplicationContext().getBean(Vault.class);
      Path noGguf = Files.createDirectories(dir.resolve("safetensors-only"));
      Files.writeString(noGguf.resolve("config.json"), "{\"model_type\":\"llama\"}");
      ModelVersion version = bundles.importDirectory(vault, noGguf, "st-model", "1.0");
      TestBundles.approve(vault, version);

      TestAppliance.Answer none = appliance.admin("PUT", "/admin/models/st-model",
          Map.of("backend", "embedded", "catalogVersionId", version.id()));
      assertThat(none.status()).isEqualTo(400);
      assertThat(none.body().path("error").path("message").asText()).isEqualTo("the embedded engine serves exactly one"
          + " .gguf file, but this version has none among its files [config.json]; serve it with the vllm backend,"
          + " or import a bundle with a single GGUF file");
      assertThat(vault.catalog().find(version.id()).orElseThrow().state()).as("not activated")
          .isEqualTo(LifecycleState.APPROVED);

      TestAppliance.Answer threads = appliance.admin("PUT", "/admin/models/st-model",
          Map.of("backend", "embedded", "catalogVersionId", version.id(), "threads", 0));
      assertThat(threads.status()).isEqualTo(400);
      TestAppliance.Answer both = appliance.admin("PUT", "/admin/models/st-model",
          Map.of("backend", "vllm", "catalogVersionId", version.id(), "vaultPath", "/somewhere/else"));
      assertThat(both.status()).isEqualTo(400);
      assertThat(both.body().path("error").path("message").asText()).isEqualTo("'vaultPath' is not part of an"
          + " activation: only vault versions are served: name one with catalogVersionId (the server lays its files"
          + " out itself)");
      TestAppliance.Answer unknown = appliance.admin("PUT", "/admin/models/st-model",
          Map.of("backend", "embedded", "catalogVersionId", "no-such-version"));
      assertThat(unknown.status()).isEqualTo(404);
      TestAppliance.Answer kind = appliance.admin("PUT", "/admin/models/st-model",
          Map.of("backend", "llamafile", "catalogVersionId", version.id()));
      assertThat(kind.body().path("error").path("message").asText())
          .isEqualTo("backend must be 'vllm' or 'embedded' (or 'external' for a registered external server);"
              + " found 'llamafile'");
    }
  }

  private static long readyLines(TestAppliance appliance, Replica replica) {
    try {
      return appliance.supervisor().recentLog(replica, 200).stream()
          .filter(l -> l.startsWith("airlock embedded engine ready: model=tiny-llama")).count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static ChatCompletionCreateParams chat(String text) {
    return ChatCompletionCreateParams.builder().model("tiny-llama").addUserMessage(text).maxCompletionTokens(16)
        .temperature(0.0).build();
  }
}
