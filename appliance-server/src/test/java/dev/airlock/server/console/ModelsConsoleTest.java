package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Sessions;
import dev.airlock.server.auth.Users;
import dev.airlock.server.changes.People;
import dev.airlock.server.backend.Replica;
import dev.airlock.server.backend.TestBundles;
import dev.airlock.server.gateway.TestAppliance;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's Models and Backends pages on a real server: a real bundle with the tiny llama
 * GGUF imported and approved, activated on the embedded engine from the page, called by an app,
 * watched on the Backends page (and {@code GET /admin/backends}), aliased, deactivated and retired.
 */
class ModelsConsoleTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static TestAppliance app;
  static TestBundles bundles;
  static Vault vault;
  static Sessions sessions;

  @BeforeAll
  static void start() throws Exception {
    bundles = TestBundles.trustedIn(dir.resolve("data"), dir.resolve("bundles"));
    // One thread: the build machines are shared, and llama.cpp's spinning threads slow everyone down.
    app = TestAppliance.start(dir, List.of(), Map.of("airlock.engine.threads", 1, "airlock.engine.ctx-size", 512));
    vault = app.server.getApplicationContext().getBean(Vault.class);
    sessions = app.server.getApplicationContext().getBean(Sessions.class);
    for (Role r : List.of(Role.ADMIN, Role.DPO)) {
      People.withPassword(app.server.getApplicationContext(), r.name().toLowerCase(), r.title(), EnumSet.of(r), password(r));
    }
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static String password(Role r) {
    return "pass-for-" + r.name();
  }

  static ConsoleClient signedIn(Role role) throws Exception {
    ConsoleClient b = new ConsoleClient(app.url("/"));
    assertThat(b.signIn(role.name().toLowerCase(), password(role)).statusCode()).isEqualTo(303);
    return b;
  }

  @Test
  void activatesAnApprovedVersionFromThePageServesItShowsItsBackendAndRetiresIt() throws Exception {
    ModelVersion version = TestBundles.approve(vault,
        bundles.importDirectory(vault, bundles.tinyLlamaDirectory("tiny-llama"), "tiny-llama", "1.0"));
    ConsoleClient admin = signedIn(Role.ADMIN);

    HttpResponse<String> page = admin.get("/console/models");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("tiny-llama 1.0").contains("name=\"version\" value=\"" + version.id() + "\"")
        .contains("<option value=\"embedded\">").contains("<option value=\"vllm\">");

    Map<String, String> form = new HashMap<>(Map.of("version", version.id(), "modelId", "tiny-chat",
        "backend", "embedded", "replicas", "1", "threads", "1", "ctxSize", "512", "extraArgs", ""));
    HttpResponse<String> forged = admin.postRaw("/console/models/activate", form);
    assertThat(forged.statusCode()).as("no _csrf").isEqualTo(403);
    assertThat(vault.catalog().find(version.id()).orElseThrow().state()).isEqualTo(LifecycleState.APPROVED);

    int before = app.auditCount();
    HttpResponse<String> activated = admin.post("/console/models/activate", form);
    assertThat(activated.statusCode()).as(activated.body()).isEqualTo(200);
    assertThat(text(activated.body())).contains("Activated tiny-chat on the embedded backend.");
    assertThat(vault.catalog().find(version.id()).orElseThrow().state()).isEqualTo(LifecycleState.ACTIVE);
    assertThat(app.auditRecordsSince(before)).extracting(r -> r.path("type").asText() + " " + r.path("actor").asText())
        .containsExactly("model.lifecycle user:admin", "model.activated user:admin");
    assertThat(activated.body()).contains("<code>tiny-chat</code>").doesNotContain("value=\"" + version.id() + "\"");
    app.awaitHealthy("tiny-chat", 1);

    // An app sees it and talks to it.
    String key = app.createApp("writer", List.of("tiny-chat", "chat-default"), Map.of()).at("/key/secret").asText();
    assertThat(modelIds(key)).containsExactly("tiny-chat");
    HttpResponse<String> chat = app.http.send(HttpRequest.newBuilder(app.url("/v1/chat/completions"))
        .header("authorization", "Bearer " + key).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"Say hello\"}],\"max_tokens\":8,\"temperature\":0}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
    JsonNode completion = JSON.readTree(chat.body());
    assertThat(completion.path("model").asText()).isEqualTo("tiny-chat");
    assertThat(completion.at("/usage/completion_tokens").asInt()).isPositive();

    // The Backends page: the replica, healthy, its pid, and its log, escaped.
    Replica replica = app.supervisor().replicas().get("tiny-chat").get(0);
    TestAppliance.await(() -> log(replica).stream().anyMatch(l -> l.startsWith("airlock embedded engine ready:")),
        "the engine's ready line in its log");
    Files.writeString(app.supervisor().logFile(replica), "<script>alert('log')</script>\n", StandardOpenOption.APPEND);
    HttpResponse<String> backends = admin.get("/console/backends");
    assertThat(backends.statusCode()).isEqualTo(200);
    assertThat(backends.body()).contains("<code>tiny-chat</code>").contains("1 of 1 replicas healthy")
        .contains("<code>" + replica.base().getAuthority() + "</code>")
        .contains("<code>" + replica.pid().orElseThrow() + "</code>")
        .contains("<span class=\"badge allow\">healthy</span>")
        .contains("airlock embedded engine ready: model=tiny-chat")
        .contains("&lt;script&gt;alert(&#39;log&#39;)&lt;/script&gt;")
        .doesNotContain("<script>alert");

    TestAppliance.Answer json = app.admin("GET", "/admin/backends?lines=2", null);
    assertThat(json.status()).isEqualTo(200);
    JsonNode model = json.body().at("/data/0");
    assertThat(model.path("modelId").asText()).isEqualTo("tiny-chat");
    assertThat(model.path("backend").asText()).isEqualTo("embedded");
    assertThat(model.path("catalogVersionId").asText()).isEqualTo(version.id());
    assertThat(model.at("/replicas/0/healthy").asBoolean()).isTrue();
    assertThat(model.at("/replicas/0/pid").asLong()).isEqualTo(replica.pid().orElseThrow());
    assertThat(model.at("/replicas/0/address").asText()).isEqualTo(replica.base().getAuthority());
    assertThat(model.at("/replicas/0/recentLog")).hasSize(2);
    assertThat(model.at("/replicas/0/recentLog/1").asText()).isEqualTo("<script>alert('log')</script>");
    TestAppliance.Answer tooMany = app.admin("GET", "/admin/backends?lines=501", null);
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.body().at("/error/message").asText())
        .isEqualTo("lines must be 0 to 500 (log lines per replica); found 501");
    assertThat(app.admin("GET", "/admin/backends?lines=many", null).body().at("/error/message").asText())
        .isEqualTo("lines must be a whole number from 0 to 500; found 'many'");

    // An alias, shown next to the model, and listed to the app.
    HttpResponse<String> aliased = admin.post("/console/models/alias", Map.of("alias", "chat-default", "model", "tiny-chat"));
    assertThat(aliased.statusCode()).isEqualTo(200);
    assertThat(text(aliased.body())).contains("The alias chat-default now points at tiny-chat.");
    assertThat(aliased.body()).contains("<th scope=\"row\"><code>chat-default</code></th>");
    assertThat(modelIds(key)).containsExactly("chat-default", "tiny-chat");

    // Retiring needs the box ticked.
    HttpResponse<String> unticked = admin.post("/console/models/retire", Map.of("model", "tiny-chat"));
    assertThat(unticked.statusCode()).isEqualTo(400);
    assertThat(text(unticked.body())).contains("To retire tiny-chat, tick \"I understand clients will lose this model\":"
        + " a retired version is never served again.");
    assertThat(vault.catalog().find(version.id()).orElseThrow().state()).isEqualTo(LifecycleState.ACTIVE);

    // Deactivated: no longer served, its version still ACTIVE and offered for activation again.
    HttpResponse<String> deactivated = admin.post("/console/models/deactivate", Map.of("model", "tiny-chat"));
    assertThat(deactivated.statusCode()).isEqualTo(200);
    assertThat(text(deactivated.body())).contains("tiny-chat is no longer served and its backend has stopped.");
    assertThat(deactivated.body()).contains("ACTIVE, not served").contains("value=\"" + version.id() + "\"");
    assertThat(app.supervisor().replicas()).doesNotContainKey("tiny-chat");
    assertThat(modelIds(key)).isEmpty();
    assertThat(admin.get("/console/backends").body()).contains("No model is served, so no backend runs.");

    // Activated again, then retired: the version is RETIRED and offered no more.
    assertThat(admin.post("/console/models/activate", form).statusCode()).isEqualTo(200);
    HttpResponse<String> retired = admin.post("/console/models/retire", Map.of("model", "tiny-chat", "confirm", "on"));
    assertThat(retired.statusCode()).as(retired.body()).isEqualTo(200);
    assertThat(text(retired.body())).contains("tiny-chat is retired");
    assertThat(vault.catalog().find(version.id()).orElseThrow().state()).isEqualTo(LifecycleState.RETIRED);
    assertThat(retired.body()).doesNotContain("value=\"" + version.id() + "\"").contains("No model is served.");
    assertThat(app.supervisor().replicas()).doesNotContainKey("tiny-chat");
  }

  @Test
  void refusesWhatCannotBeServedWithTheReasonOnThePage() throws Exception {
    ModelVersion underReview = bundles.importDirectory(vault, bundles.tinyLlamaDirectory("pending"), "pending", "1.0");
    vault.catalog().transition(underReview.id(), LifecycleState.UNDER_REVIEW, "dpo-1", Optional.empty());
    Path noGguf = Files.createDirectories(dir.resolve("safetensors-only"));
    Files.writeString(noGguf.resolve("config.json"), "{\"model_type\":\"llama\"}");
    ModelVersion safetensors = TestBundles.approve(vault, bundles.importDirectory(vault, noGguf, "st-model", "1.0"));
    ConsoleClient admin = signedIn(Role.ADMIN);
    assertThat(admin.get("/console/models").body()).doesNotContain("value=\"" + underReview.id() + "\"")
        .contains("value=\"" + safetensors.id() + "\"");

    HttpResponse<String> pending = admin.post("/console/models/activate",
        Map.of("version", underReview.id(), "modelId", "pending", "backend", "embedded"));
    assertThat(pending.statusCode()).isEqualTo(409);
    assertThat(text(pending.body())).contains("<p class=\"error\" role=\"alert\">Pending 1.0 is UNDER_REVIEW in the vault;"
        + " a DPO must approve it before it can be served (only an APPROVED or already ACTIVE version can be"
        + " activated).</p>");
    assertThat(vault.catalog().find(underReview.id()).orElseThrow().state()).isEqualTo(LifecycleState.UNDER_REVIEW);

    Map<String, String> embedded = Map.of("version", safetensors.id(), "modelId", "st-model", "backend", "embedded");
    assertThat(refusal(admin, embedded, 400)).contains("The embedded engine serves exactly one .gguf file, but this"
        + " version has none among its files [config.json]; serve it with the vllm backend, or import a bundle with a"
        + " single GGUF file.");
    Map<String, String> zeroReplicas = new HashMap<>(embedded);
    zeroReplicas.put("backend", "vllm");
    zeroReplicas.put("replicas", "0");
    assertThat(refusal(admin, zeroReplicas, 400)).contains("Replicas must be 1 to 64; found 0.");
    Map<String, String> words = new HashMap<>(embedded);
    words.put("replicas", "many");
    assertThat(refusal(admin, words, 400)).contains("Replicas must be a whole number; found 'many'.");
    Map<String, String> threadsForVllm = new HashMap<>(embedded);
    threadsForVllm.put("backend", "vllm");
    threadsForVllm.put("threads", "4");
    assertThat(refusal(admin, threadsForVllm, 400)).contains("Threads and context size are settings of the embedded"
        + " engine;");
    Map<String, String> external = new HashMap<>(embedded);
    external.put("backend", "external");
    assertThat(refusal(admin, external, 400)).contains(" is a bundle in the vault: serve it with 'vllm' or 'embedded'.");
    assertThat(refusal(admin, Map.of("modelId", "x", "backend", "embedded"), 400))
        .contains("Choose the vault version to activate.");
    assertThat(refusal(admin, Map.of("version", "no-such-version", "modelId", "x", "backend", "embedded"), 404))
        .contains("The vault has no version with id no-such-version: import its bundle first.");
    assertThat(vault.catalog().find(safetensors.id()).orElseThrow().state()).isEqualTo(LifecycleState.APPROVED);

    HttpResponse<String> unknown = admin.post("/console/models/deactivate", Map.of("model", "nothing-here"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(text(unknown.body())).contains("Model 'nothing-here' is not active");
    HttpResponse<String> aliasToNothing = admin.post("/console/models/alias", Map.of("alias", "a", "model", "nothing-here"));
    assertThat(aliasToNothing.statusCode()).isEqualTo(404);
    assertThat(text(aliasToNothing.body())).contains("No model 'nothing-here': activate it first");
  }

  @Test
  void onlyAdminsReachTheModelsAndBackendsPages() throws Exception {
    ConsoleClient dpo = signedIn(Role.DPO);
    for (String path : List.of("/console/models", "/console/backends")) {
      assertThat(dpo.get(path).statusCode()).as(path).isEqualTo(403);
    }
    dpo.get("/console");
    assertThat(dpo.post("/console/models/activate", Map.of("version", "v", "modelId", "m", "backend", "embedded"))
        .statusCode()).isEqualTo(403);
    String dpoToken = sessions.open("dpo").token();
    HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(app.url("/admin/backends"))
        .header("authorization", "Bearer " + dpoToken).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(api.statusCode()).isEqualTo(403);
    assertThat(signedIn(Role.ADMIN).get("/console/backends").statusCode()).isEqualTo(200);
  }

  private static String refusal(ConsoleClient admin, Map<String, String> form, int status) throws Exception {
    HttpResponse<String> r = admin.post("/console/models/activate", form);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return text(r.body());
  }

  private static List<String> modelIds(String key) throws Exception {
    HttpResponse<String> r = app.http.send(HttpRequest.newBuilder(app.url("/v1/models"))
        .header("authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body()).path("data").findValuesAsText("id").stream().sorted().toList();
  }

  private static List<String> log(Replica replica) {
    try {
      return app.supervisor().recentLog(replica, 200);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The page with the escapes Thymeleaf writes for quotes turned back, to compare messages as a reader sees them. */
  private static String text(String html) {
    return html.replace("&#39;", "'").replace("&quot;", "\"").replace("&amp;", "&");
  }
}
