package dev.airlock.server.gateway;

import dev.airlock.server.auth.OperatorAuth;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.server.backend.Replica;
import io.micronaut.http.netty.channel.EventLoopGroupRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's contract on the wire, byte by byte where it matters: errors in OpenAI's shape with
 * the right status, pass-through of unknown fields, fail-closed audit, streams that fail or are
 * abandoned, replicas that die, routing, and the operator surfaces.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayHttpTest {
  @TempDir static Path dir;

  TestAppliance appliance;
  Process external;
  int externalPort;
  String key;
  String appId;

  @BeforeAll
  void start() throws Exception {
    externalPort = TestAppliance.freePort();
    appliance = TestAppliance.start(dir, List.of(externalPort), Map.of());
    external = appliance.standIn.startExternal("other-chat", externalPort);
    appliance.activateVllm("tiny-chat", Files.createDirectories(dir.resolve("vault/tiny-chat")), 2, List.of());
    appliance.activateExternal("other-chat", externalPort);
    appliance.alias("chat-default", "tiny-chat");
    JsonNode app = appliance.createApp("wire-tests", List.of("chat-default", "tiny-chat", "other-chat"),
        Map.of("maxRequestBytes", 2048, "subjectHeader", "x-end-user"));
    key = app.path("key").path("secret").asText();
    appId = app.path("id").asText();
    appliance.awaitHealthy("tiny-chat", 2);
    appliance.awaitHealthy("other-chat", 1);
  }

  @AfterAll
  void stop() {
    if (appliance != null) appliance.close();
    if (external != null) external.destroyForcibly();
  }

  private HttpResponse<String> post(String route, String body, String bearer, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(appliance.url(route)).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("content-type", "application/json");
    if (bearer != null) b.header("authorization", "Bearer " + bearer);
    headers.forEach(b::header);
    return appliance.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> chat(String body) throws Exception {
    return post("/v1/chat/completions", body, key, Map.of());
  }

  private static JsonNode json(String s) throws Exception {
    return TestAppliance.JSON.readTree(s);
  }

  @Test
  void onLinuxTheServerAndTheBackendClientRunOnNettysEpollTransport() throws Exception {
    assumeTrue(
        System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"),
        "the epoll transport is bundled for Linux x86-64 only");
    assertThat(Epoll.isAvailable()).as("epoll unavailable: %s", Epoll.unavailabilityCause()).isTrue();
    EventLoopGroup loops = appliance.server.getApplicationContext().getBean(EventLoopGroupRegistry.class)
        .getDefaultEventLoopGroup();
    assertThat(((IoEventLoopGroup) loops).isIoType(EpollIoHandler.class)).isTrue();
    // The backend client connects on those same loops, and a NIO channel cannot register on an epoll
    // loop: a request forwarded and answered shows the client's channels are epoll too.
    assertThat(chat("{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
        .statusCode()).isEqualTo(200);
  }

  private static void assertOpenAiError(HttpResponse<String> r, int status, String code, String messagePart) throws Exception {
    assertThat(r.statusCode()).isEqualTo(status);
    JsonNode e = json(r.body()).path("error");
    assertThat(e.path("code").asText()).isEqualTo(code);
    assertThat(e.path("message").asText()).contains(messagePart);
    assertThat(e.has("type")).isTrue();
    assertThat(e.has("param")).isTrue();
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    assertThat(r.headers().firstValue("x-airlock-overhead-ms")).isPresent();
  }

  @Test
  void refusesMissingKeyMalformedBodiesAndMissingFieldsInOpenAiShape() throws Exception {
    assertOpenAiError(post("/v1/chat/completions", "{}", null, Map.of()), 401, "missing_api_key", "No API key was given");
    assertOpenAiError(chat("{\"model\": \"tiny-chat\", "), 400, "invalid_json", "The request body is not valid JSON");
    assertOpenAiError(chat("[1,2]"), 400, "invalid_json", "must be a JSON object; found array");
    assertOpenAiError(chat("{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} {\"x\":1}"),
        400, "invalid_json", "something follows the JSON object");
    assertOpenAiError(chat("{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} x"),
        400, "invalid_json", "The request body is not valid JSON");
    HttpResponse<String> noModel = chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertOpenAiError(noModel, 400, "missing_model", "'model' is required");
    assertThat(json(noModel.body()).path("error").path("param").asText()).isEqualTo("model");
    assertOpenAiError(chat("{\"model\":\"tiny-chat\"}"), 400, "invalid_messages", "'messages' is required");
    // vLLM would fetch these itself: the appliance makes no outbound connection, so only data: URLs pass.
    for (String part : List.of("{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.png\"}}",
        "{\"type\":\"image_url\",\"image_url\":\"HTTP://10.0.0.1/x.png\"}",
        "{\"type\":\"video_url\",\"video_url\":{\"url\":\"http://example.com/v.mp4\"}}",
        "{\"type\":\"audio_url\",\"audio_url\":{\"url\":\"file:///etc/passwd\"}}")) {
      HttpResponse<String> remote = chat("{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":["
          + "{\"type\":\"text\",\"text\":\"what is this?\"}," + part + "]}]}");
      assertOpenAiError(remote, 400, "remote_media_url", "must be a data: URL (the media inline, base64): the appliance"
          + " fetches nothing from the network");
    }
    HttpResponse<String> inline = chat("{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}}]}]}");
    assertThat(inline.statusCode()).as(inline.body()).isEqualTo(200);
    assertOpenAiError(chat("{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":\"yes\"}"),
        400, "invalid_type", "'stream' must be true or false");
    assertOpenAiError(post("/v1/embeddings", "{\"model\":\"tiny-chat\"}", key, Map.of()), 400, "missing_input", "'input' is required");
    assertOpenAiError(post("/v1/completions", "{\"model\":\"tiny-chat\"}", key, Map.of()), 400, "missing_prompt", "'prompt' is required");
  }

  @Test
  void rerankAndScoreAreForwardedInVllmsShapesAndAudited() throws Exception {
    int before = appliance.auditCount();
    HttpResponse<String> rerank = post("/v1/rerank", "{\"model\":\"tiny-chat\",\"query\":\"sealed appliance\","
        + "\"documents\":[\"a recipe for bread\",\"the sealed appliance serves models\"],\"top_n\":2}", key, Map.of());
    assertThat(rerank.statusCode()).as(rerank.body()).isEqualTo(200);
    JsonNode ranked = json(rerank.body());
    assertThat(ranked.path("results").get(0).path("index").asInt()).isEqualTo(1);
    assertThat(ranked.path("results").get(0).path("relevance_score").asDouble()).isEqualTo(1.0);
    List<ObjectNode> records = appliance.auditRecordsSince(before);
    assertThat(records).extracting(r -> r.path("type").asText()).containsExactly("inference.request", "inference.response");
    assertThat(records.get(0).path("fields").path("route").asText()).isEqualTo("/v1/rerank");
    assertThat(records.get(0).path("payload").path("request").path("documents").size()).isEqualTo(2);
    JsonNode scores = records.get(1).path("payload").path("scores");
    assertThat(scores).hasSize(2);
    assertThat(scores.get(0).path("index").asInt()).isEqualTo(1);
    assertThat(scores.get(0).path("relevanceScore").asDouble()).isEqualTo(1.0);
    // The stand-in counts words: 2 in the query, 4 and 5 in the documents.
    assertThat(records.get(1).path("fields").path("totalTokens").asText()).isEqualTo("11");

    int beforeScore = appliance.auditCount();
    HttpResponse<String> score = post("/v1/score", "{\"model\":\"tiny-chat\",\"text_1\":\"sealed appliance\","
        + "\"text_2\":[\"sealed\",\"bread\"]}", key, Map.of());
    assertThat(score.statusCode()).as(score.body()).isEqualTo(200);
    assertThat(json(score.body()).path("data").get(0).path("score").asDouble()).isEqualTo(0.5);
    JsonNode scored = appliance.auditRecordsSince(beforeScore).get(1).path("payload").path("scores");
    assertThat(scored).extracting(x -> x.path("index").asInt() + ":" + x.path("score").asDouble())
        .containsExactly("0:0.5", "1:0.0");

    assertOpenAiError(post("/v1/rerank", "{\"model\":\"tiny-chat\",\"query\":\"q\"}", key, Map.of()), 400,
        "missing_documents", "'documents' is required");
    assertOpenAiError(post("/v1/score", "{\"model\":\"tiny-chat\",\"text_1\":\"q\"}", key, Map.of()), 400,
        "missing_text", "'text_1' and 'text_2' are required");
  }

  @Test
  void unknownRoutesAndMethodsAreAnsweredInOpenAiShapeToo() throws Exception {
    HttpResponse<String> unknown = post("/v1/chat/complete", "{}", key, Map.of());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown.body()).path("error").path("code").asText()).isEqualTo("unknown_route");
    assertThat(json(unknown.body()).path("error").path("message").asText()).contains("There is no route POST /v1/chat/complete");
    HttpResponse<String> wrongMethod = appliance.http.send(HttpRequest.newBuilder(appliance.url("/v1/chat/completions"))
        .header("authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(json(wrongMethod.body()).path("error").path("message").asText())
        .contains("Method GET is not allowed on /v1/chat/completions; allowed: POST");
  }

  @Test
  void overTheTokenQuotaTheAppGets429ForTokens() throws Exception {
    JsonNode app = appliance.createApp("token-hungry", List.of("tiny-chat"), Map.of("tokensPerMinute", 5));
    String hungry = app.path("key").path("secret").asText();
    String body = "{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"a b c d e\"}]}";
    assertThat(post("/v1/chat/completions", body, hungry, Map.of()).statusCode()).isEqualTo(200);
    HttpResponse<String> limited = post("/v1/chat/completions", body, hungry, Map.of());
    assertOpenAiError(limited, 429, "rate_limit_exceeded", "this app may use 5 tokens per minute");
    assertThat(json(limited.body()).path("error").path("type").asText()).isEqualTo("tokens");
    assertThat(Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 60L);
  }

  @Test
  void refusesABodyOverTheAppsLimitWith413AndForwardsNothing() throws Exception {
    int forwarded = appliance.standIn.allRequests().size();
    String big = "{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "a".repeat(3000) + "\"}]}";
    assertOpenAiError(chat(big), 413, "request_too_large", "The request body is " + big.length()
        + " bytes; this app may send at most 2048");
    assertThat(appliance.standIn.allRequests()).hasSize(forwarded);
  }

  @Test
  void fieldsTheGatewayDoesNotInterpretReachTheBackendUntouched() throws Exception {
    String body = "{\"model\":\"other-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
        + "\"top_k\":5,\"repetition_penalty\":1.10,\"x_vendor\":{\"nested\":[1,2.50,\"z\",null]}}";
    HttpResponse<String> r = chat(body);
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> seen = appliance.standIn.requests(externalPort);
    assertThat(seen.get(seen.size() - 1)).isEqualTo("/v1/chat/completions " + body);

    // Through an alias only "model" changes; every other field, numbers included, is kept as written.
    String viaAlias = body.replace("\"other-chat\"", "\"chat-default\"");
    assertThat(chat(viaAlias).statusCode()).isEqualTo(200);
    String forwarded = null;
    for (String line : appliance.standIn.allRequests()) {
      if (line.contains("\"x_vendor\"") && line.contains("\"tiny-chat\"")) forwarded = line.substring(line.indexOf(' ') + 1);
    }
    assertThat(forwarded).isEqualTo(body.replace("\"other-chat\"", "\"tiny-chat\""));
  }

  @Test
  void anErrorEventInTheMiddleOfAStreamReachesTheClientAndIsAuditedAsABackendError() throws Exception {
    int before = appliance.auditCount();
    HttpResponse<String> r = chat("{\"model\":\"other-chat\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
        + "\"x_standin\":{\"fail_mid_stream\":true}}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    List<String> events = events(r.body());
    assertThat(events.get(0)).contains("\"delta\":{\"role\":\"assistant\",\"content\":\"\"}");
    assertThat(events.get(1)).contains("\"delta\":{\"content\":\"Hello\"}");
    assertThat(events.get(2)).isEqualTo("{\"error\": {\"message\": \"Internal server error\", \"type\": \"InternalServerError\", "
        + "\"param\": null, \"code\": 500}}");
    assertThat(events.get(3)).isEqualTo("[DONE]");
    List<ObjectNode> records = appliance.auditRecordsSince(before);
    assertThat(records).hasSize(2);
    assertThat(records.get(1).path("status").asText()).isEqualTo("backend-error");
    assertThat(records.get(1).path("payload").path("response").asText()).isEqualTo("Hello");
    assertThat(records.get(1).path("payload").path("backendError").asText()).isEqualTo("Internal server error");
  }

  @Test
  void aReplicaDyingMidStreamFailsThatRequestCleanlyIsRestartedAndTheStreamIsNotReplayed() throws Exception {
    int before = appliance.auditCount();
    int forwardedBefore = appliance.standIn.allRequests().size();
    HttpResponse<String> r = chat("{\"model\":\"tiny-chat\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
        + "\"x_standin\":{\"die\":true}}");
    List<String> events = events(r.body());
    assertThat(events.get(events.size() - 2)).contains("\"code\":502").contains("it was not retried");
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    List<ObjectNode> records = appliance.auditRecordsSince(before);
    assertThat(records).extracting(x -> x.path("type").asText()).containsExactly("inference.request", "inference.response");
    assertThat(records.get(1).path("status").asText()).isEqualTo("backend-error");
    assertThat(records.get(1).path("fields").path("detail").asText()).startsWith("the backend");
    // One request reached a backend: it was not replayed on the other replica.
    assertThat(appliance.standIn.allRequests()).hasSize(forwardedBefore + 1);

    int dead = records.get(1).path("fields").path("replica").asInt();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Replica replica = null;
    while (System.nanoTime() < deadline) {
      replica = appliance.supervisor().replicas().get("tiny-chat").get(dead);
      if (replica.restarts() >= 1 && replica.healthy()) break;
      Thread.sleep(100);
    }
    assertThat(replica.restarts()).isGreaterThanOrEqualTo(1);
    assertThat(replica.healthy()).isTrue();
    appliance.awaitHealthy("tiny-chat", 2);
  }

  @Test
  void aReplicaDyingDuringAWholeRequestIsA503ThatIsNotRetried() throws Exception {
    int before = appliance.auditCount();
    int forwardedBefore = appliance.standIn.allRequests().size();
    HttpResponse<String> r = chat("{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
        + "\"x_standin\":{\"die\":true}}");
    assertOpenAiError(r, 503, "backend_failed", "The backend serving `tiny-chat` failed during the request; it was not retried");
    assertThat(appliance.standIn.allRequests()).hasSize(forwardedBefore + 1);
    List<ObjectNode> records = appliance.auditRecordsSince(before);
    assertThat(records).extracting(x -> x.path("type").asText() + " " + x.path("status").asText())
        .containsExactly("inference.request ok", "inference.response backend-error");
    assertThat(records.get(1).path("fields").path("detail").asText()).startsWith("backend failed: ");
    appliance.awaitHealthy("tiny-chat", 2);
  }

  @Test
  void aClientThatDisconnectsCancelsTheBackendRequestAndTheCancellationIsAudited() throws Exception {
    int before = appliance.auditCount();
    HttpRequest req = HttpRequest.newBuilder(appliance.url("/v1/chat/completions"))
        .header("authorization", "Bearer " + key).header("x-end-user", "carol")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"other-chat\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"slow\"}],\"x_standin\":{\"delay_between_ms\":20000}}"))
        .build();
    HttpResponse<InputStream> r = appliance.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
    String first = reader.readLine();
    assertThat(first).startsWith("data: {");
    r.body().close();

    ObjectNode response = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline && response == null) {
      for (ObjectNode rec : appliance.auditRecordsSince(before)) {
        if (rec.path("type").asText().equals("inference.response")) response = rec;
      }
      Thread.sleep(50);
    }
    assertThat(response).isNotNull();
    assertThat(response.path("status").asText()).isEqualTo("client-cancelled");
    assertThat(response.path("subject").asText()).isEqualTo("carol");
    // Well before the backend would have finished (20 s between tokens), the request is no longer in flight.
    assertThat(appliance.supervisor().replicas().get("other-chat").get(0).inFlight()).isZero();
  }

  @Test
  void requestsGoToTheLeastBusyReplica() throws Exception {
    String slow = "{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"x_standin\":{\"delay_ms\":1500}}";
    int before = appliance.auditCount();
    CompletableFuture<HttpResponse<String>> a = appliance.http.sendAsync(HttpRequest.newBuilder(appliance.url("/v1/chat/completions"))
        .header("authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(slow)).build(), HttpResponse.BodyHandlers.ofString());
    Thread.sleep(300);
    HttpResponse<String> b = chat(slow);
    assertThat(a.get().statusCode()).isEqualTo(200);
    assertThat(b.statusCode()).isEqualTo(200);
    List<Integer> replicas = new ArrayList<>();
    for (ObjectNode rec : appliance.auditRecordsSince(before)) {
      if (rec.path("type").asText().equals("inference.response")) replicas.add(rec.path("fields").path("replica").asInt());
    }
    assertThat(replicas).containsExactlyInAnyOrder(0, 1);
  }

  @Test
  void anAliasCanBeRepointedWithoutClientsChanging() throws Exception {
    String body = "{\"model\":\"chat-default\",\"messages\":[{\"role\":\"user\",\"content\":\"who are you\"}]}";
    assertThat(json(chat(body).body()).path("choices").get(0).path("message").path("content").asText()).isEqualTo("Hello from tiny-chat.");
    appliance.alias("chat-default", "other-chat");
    try {
      assertThat(json(chat(body).body()).path("choices").get(0).path("message").path("content").asText()).isEqualTo("Hello from other-chat.");
    } finally {
      appliance.alias("chat-default", "tiny-chat");
    }
  }

  @Test
  void metricsAreForOperatorsOnly() throws Exception {
    chat("{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"count me\"}]}");
    HttpResponse<String> anonymous = appliance.http.send(HttpRequest.newBuilder(appliance.url("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    HttpResponse<String> withAppKey = appliance.http.send(HttpRequest.newBuilder(appliance.url("/metrics"))
        .header("authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(withAppKey.statusCode()).isEqualTo(403);
    assertThat(withAppKey.body()).contains("App API keys only reach /v1");
    HttpResponse<String> operator = appliance.http.send(HttpRequest.newBuilder(appliance.url("/metrics"))
        .header("authorization", "Bearer " + TestAppliance.OPERATOR_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(operator.statusCode()).isEqualTo(200);
    assertThat(operator.body())
        .contains("airlock_gateway_requests_total{app=\"" + appId + "\",model=\"tiny-chat\",status=\"200\"}")
        .contains("# TYPE airlock_gateway_request_duration_seconds histogram")
        .contains("airlock_gateway_tokens_total{app=\"" + appId + "\",model=\"tiny-chat\",kind=\"completion\"}")
        .contains("airlock_backend_replica_healthy{model=\"tiny-chat\",replica=\"0\"}")
        .contains("airlock_audit_append_seconds_count")
        .containsPattern("(?m)^airlock_audit_log_entries [1-9][0-9]*$")
        .containsPattern("(?m)^airlock_audit_index_lag_entries [0-9]+$")
        .containsPattern("(?m)^airlock_audit_index_rebuilding [01]$");
  }

  @Test
  void keysCanBeRotatedAndRevokedAndEachChangeIsAudited() throws Exception {
    JsonNode app = appliance.createApp("rotating", List.of("tiny-chat"), Map.of());
    String first = app.path("key").path("secret").asText();
    String firstId = app.path("key").path("keyId").asText();
    assertThat(first).startsWith("alk_").hasSize(47);
    assertThat(app.path("key").path("prefix").asText()).isEqualTo(first.substring(0, 12));
    String ok = "{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    assertThat(post("/v1/chat/completions", ok, first, Map.of()).statusCode()).isEqualTo(200);

    int before = appliance.auditCount();
    TestAppliance.Answer rotated = appliance.admin("POST", "/admin/keys/" + firstId + "/rotate", null);
    assertThat(rotated.status()).isEqualTo(201);
    String second = rotated.body().path("secret").asText();
    String secondId = rotated.body().path("keyId").asText();
    assertOpenAiError(post("/v1/chat/completions", ok, first, Map.of()), 401, "invalid_api_key", "not valid");
    assertThat(post("/v1/chat/completions", ok, second, Map.of()).statusCode()).isEqualTo(200);

    assertThat(appliance.admin("DELETE", "/admin/keys/" + secondId, null).status()).isEqualTo(200);
    assertOpenAiError(post("/v1/chat/completions", ok, second, Map.of()), 401, "invalid_api_key", "not valid");
    assertThat(appliance.admin("DELETE", "/admin/keys/" + secondId, null).body().path("error").path("message").asText())
        .contains("no active key '" + secondId + "'");

    List<ObjectNode> admin = appliance.auditRecordsSince(before).stream()
        .filter(r -> r.path("type").asText().startsWith("key.")).toList();
    assertThat(admin).extracting(r -> r.path("type").asText()).containsExactly("key.rotated", "key.revoked");
    assertThat(admin.get(0).path("actor").asText()).isEqualTo("system:" + OperatorAuth.ACTOR);
    assertThat(admin.get(0).path("fields").toString()).isEqualTo("{\"appId\":\"" + app.path("id").asText() + "\",\"keyId\":\""
        + secondId + "\",\"keyPrefix\":\"" + second.substring(0, 12) + "\",\"replacesKeyId\":\"" + firstId + "\"}");
    assertThat(admin.get(1).path("fields").path("keyId").asText()).isEqualTo(secondId);
    // Secrets are never written anywhere: not in the audit log (decrypted), nor in the database.
    String everything = appliance.auditRecords().toString();
    assertThat(everything).doesNotContain(first).doesNotContain(second).contains("\"type\":\"app.created\"");
    try (var c = appliance.server.getApplicationContext().getBean(dev.airlock.server.ApplianceDatabase.class).dataSource().getConnection();
         var rs = c.createStatement().executeQuery("SELECT key_hash, prefix FROM gateway_api_key")) {
      while (rs.next()) {
        assertThat(rs.getString(1)).hasSize(64).isNotEqualTo(first).isNotEqualTo(second);
        assertThat(rs.getString(2)).hasSize(12);
      }
    }
  }

  @Test
  void theOperatorApiRefusesAppKeysAndMissingTokens() throws Exception {
    HttpResponse<String> none = appliance.http.send(HttpRequest.newBuilder(appliance.url("/admin/apps")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(none.statusCode()).isEqualTo(401);
    HttpResponse<String> appKey = appliance.http.send(HttpRequest.newBuilder(appliance.url("/admin/apps"))
        .header("authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(appKey.statusCode()).isEqualTo(403);
    TestAppliance.Answer byPath = appliance.admin("PUT", "/admin/models/evil",
        Map.of("backend", "vllm", "vaultPath", "/x", "extraArgs", List.of("--trust-remote-code")));
    assertThat(byPath.status()).isEqualTo(400);
    assertThat(byPath.body().path("error").path("message").asText()).startsWith("'vaultPath' is not part of an activation");
    TestAppliance.Answer offList = appliance.admin("PUT", "/admin/models/elsewhere",
        Map.of("backend", "external", "endpoints", List.of("http://10.9.9.9:8000")));
    assertThat(offList.status()).isEqualTo(400);
    assertThat(offList.body().path("error").path("message").asText())
        .startsWith("'endpoints' is not part of an activation: an external server's endpoints are part of its catalog entry");
  }

  private static List<String> events(String sse) {
    List<String> out = new ArrayList<>();
    for (String block : sse.split("\n\n")) {
      if (block.startsWith("data: ")) out.add(block.substring(6));
    }
    return out;
  }
}
