package dev.airlock.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as internal apps see it: the official OpenAI Java SDK against the running server,
 * a supervised vLLM (the stand-in) and an external backend. Each call's audit records are checked
 * field by field.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSdkTest {
  @TempDir static Path dir;

  TestAppliance appliance;
  Process external;
  int externalPort;
  String helpdeskKey;
  String helpdeskId;
  String helpdeskKeyId;
  String tinyChatVersion;
  String tinyEmbedVersion;

  @BeforeAll
  void start() throws Exception {
    externalPort = TestAppliance.freePort();
    appliance = TestAppliance.start(dir, List.of(externalPort), Map.of());
    external = appliance.standIn.startExternal("tiny-embed", externalPort);
    Path weights = Files.createDirectories(dir.resolve("vault/models/tiny-chat"));
    tinyChatVersion = appliance.activateVllm("tiny-chat", weights, 1, List.of("--max-model-len", "4096"));
    tinyEmbedVersion = appliance.activateExternal("tiny-embed", externalPort);
    appliance.activateExternal("hidden-model", externalPort);
    appliance.alias("chat-default", "tiny-chat");
    JsonNode app = appliance.createApp("helpdesk", List.of("chat-default", "tiny-chat", "tiny-embed"), Map.of());
    helpdeskKey = app.path("key").path("secret").asText();
    helpdeskId = app.path("id").asText();
    helpdeskKeyId = app.path("key").path("keyId").asText();
    appliance.awaitHealthy("tiny-chat", 1);
    appliance.awaitHealthy("tiny-embed", 1);
  }

  @AfterAll
  void stop() {
    if (appliance != null) appliance.close();
    if (external != null) external.destroyForcibly();
  }

  private OpenAIClient client(String key) {
    return OpenAIOkHttpClient.builder().apiKey(key).baseUrl(appliance.server.getURL() + "/v1")
        .maxRetries(0).timeout(Duration.ofSeconds(30)).build();
  }

  @Test
  void listsOnlyTheActiveModelsAndAliasesTheKeyMayUse() throws Exception {
    int before = appliance.auditCount();
    List<String> ids = client(helpdeskKey).models().list().data().stream().map(Model::id).toList();

    assertThat(ids).containsExactly("chat-default", "tiny-chat", "tiny-embed");
    Model one = client(helpdeskKey).models().retrieve("chat-default");
    assertThat(one.id()).isEqualTo("chat-default");
    assertThat(one.ownedBy()).isEqualTo("airlock");
    assertThatThrownBy(() -> client(helpdeskKey).models().retrieve("hidden-model"))
        .isInstanceOf(NotFoundException.class);
    // Listing models is not inference: no audit records.
    assertThat(appliance.auditRecordsSince(before)).isEmpty();
  }

  @Test
  void chatCompletionThroughAnAliasIsAnsweredAndAuditedBeforeAndAfter() throws Exception {
    int before = appliance.auditCount();
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("chat-default").addUserMessage("Say hello to the auditors").user("alice@example.org").build();

    HttpResponseFor<ChatCompletion> raw = client(helpdeskKey).chat().completions().withRawResponse().create(params);
    ChatCompletion completion = raw.parse();

    assertThat(completion.choices().get(0).message().content()).contains("Hello from tiny-chat.");
    assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    String requestId = raw.headers().values("x-request-id").get(0);
    assertThat(requestId).matches("req_[0-9a-f]{24}");
    assertThat(Double.parseDouble(raw.headers().values("x-airlock-overhead-ms").get(0))).isGreaterThanOrEqualTo(0);

    List<ObjectNode> records = appliance.auditRecordsSince(before);
    assertThat(records).hasSize(2);
    ObjectNode request = records.get(0);
    assertThat(request.path("type").asText()).isEqualTo("inference.request");
    assertThat(request.path("actor").asText()).isEqualTo("app:" + helpdeskId);
    assertThat(request.path("subject").asText()).isEqualTo("alice@example.org");
    assertThat(request.path("model").asText()).isEqualTo("tiny-chat");
    assertThat(request.path("requestId").asText()).isEqualTo(requestId);
    assertThat(request.path("status").asText()).isEqualTo("ok");
    // Index fields are searchable plaintext: no personal data among them.
    assertThat(fields(request)).isEqualTo(Map.of("app", "helpdesk", "keyId", helpdeskKeyId, "alias", "chat-default",
        "route", "/v1/chat/completions", "stream", "false"));
    assertThat(request.path("payload").path("request").path("messages").get(0).path("content").asText())
        .isEqualTo("Say hello to the auditors");
    assertThat(request.path("payload").path("request").path("user").asText()).isEqualTo("alice@example.org");
    ObjectNode response = records.get(1);
    assertThat(response.path("type").asText()).isEqualTo("inference.response");
    assertThat(response.path("requestId").asText()).isEqualTo(requestId);
    assertThat(response.path("status").asText()).isEqualTo("completed");
    assertThat(response.path("subject").asText()).isEqualTo("alice@example.org");
    JsonNode f = response.path("fields");
    assertThat(f.path("httpStatus").asText()).isEqualTo("200");
    assertThat(f.path("finishReason").asText()).isEqualTo("stop");
    assertThat(f.path("promptTokens").asText()).isEqualTo("5");
    assertThat(f.path("completionTokens").asText()).isEqualTo("3");
    assertThat(f.path("totalTokens").asText()).isEqualTo("8");
    assertThat(f.path("latencyMs").asDouble()).isPositive();
    assertThat(f.has("timeToFirstTokenMs")).isFalse();
    assertThat(f.path("alias").asText()).isEqualTo("chat-default");
    assertThat(f.path("replica").asText()).isEqualTo("0");
    assertThat(f.has("detail")).isFalse();
    assertThat(response.path("payload").path("response").asText()).isEqualTo("Hello from tiny-chat.");
    // The receipt: which approved weights answered, one lookup away.
    assertThat(f.path("catalogVersionId").asText()).isEqualTo(tinyChatVersion);
    JsonNode receipt = response.path("payload").path("receipt");
    assertThat(receipt.path("catalogVersionId").asText()).isEqualTo(tinyChatVersion);
    assertThat(receipt.path("manifestSha256").asText()).isEqualTo(appliance.bean(dev.airlock.vault.Vault.class).catalog()
        .find(tinyChatVersion).orElseThrow().provenance().manifestSha256());
    assertThat(receipt.path("backend").asText()).isEqualTo("vllm");
    assertThat(response.path("payload").size()).as("response and receipt, nothing else").isEqualTo(2);
  }

  @Test
  void streamingChatArrivesChunkByChunkAndIsAssembledForTheAudit() throws Exception {
    int before = appliance.auditCount();
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("tiny-chat").addUserMessage("Stream me something").user("bob").build();

    StringBuilder text = new StringBuilder();
    int chunks = 0;
    try (StreamResponse<ChatCompletionChunk> stream = client(helpdeskKey).chat().completions().createStreaming(params)) {
      for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
        chunks++;
        // The client did not ask for usage, so the gateway's own usage request is not shown to it.
        assertThat(chunk.choices()).isNotEmpty();
        chunk.choices().get(0).delta().content().ifPresent(text::append);
      }
    }

    assertThat(text.toString()).isEqualTo("Hello from tiny-chat.");
    assertThat(chunks).isEqualTo(4); // role chunk + three content deltas
    List<ObjectNode> records = appliance.auditRecordsSince(before);
    assertThat(records).extracting(r -> r.path("type").asText()).containsExactly("inference.request", "inference.response");
    assertThat(records.get(0).path("fields").path("stream").asText()).isEqualTo("true");
    assertThat(records.get(0).path("fields").has("alias")).isFalse();
    assertThat(records.get(1).path("status").asText()).isEqualTo("completed");
    JsonNode f = records.get(1).path("fields");
    assertThat(f.path("finishReason").asText()).isEqualTo("stop");
    assertThat(f.path("promptTokens").asText() + "/" + f.path("completionTokens").asText() + "/" + f.path("totalTokens").asText())
        .isEqualTo("3/3/6");
    assertThat(f.path("timeToFirstTokenMs").asDouble()).isPositive();
    assertThat(records.get(1).path("subject").asText()).isEqualTo("bob");
    assertThat(records.get(1).path("payload").path("response").asText()).isEqualTo("Hello from tiny-chat.");
  }

  private static ChatCompletionCreateParams weatherTool() {
    return ChatCompletionCreateParams.builder().model("tiny-chat").addUserMessage("Weather in Paris?")
        .addTool(com.openai.models.chat.completions.ChatCompletionFunctionTool.builder()
            .function(com.openai.models.FunctionDefinition.builder().name("get_weather")
                .description("The weather in a city").build()).build())
        .build();
  }

  @Test
  void aToolCallIsRelayedWholeAndStreamedAndItsArgumentsAreAuditedByteForByte() throws Exception {
    String arguments = String.join("", dev.airlock.server.backend.VllmStandIn.TOOL_ARGUMENT_PIECES);
    int before = appliance.auditCount();
    ChatCompletion whole = client(helpdeskKey).chat().completions().create(weatherTool());
    var call = whole.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertThat(call.function().arguments()).isEqualTo(arguments);
    assertThat(whole.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    JsonNode recorded = appliance.auditRecordsSince(before).get(1).path("payload").path("outputs").get(0);
    assertThat(recorded.path("finishReason").asText()).isEqualTo("tool_calls");
    assertThat(recorded.path("toolCalls").get(0).path("id").asText()).isEqualTo(call.id());
    assertThat(recorded.path("toolCalls").get(0).path("name").asText()).isEqualTo("get_weather");
    assertThat(recorded.path("toolCalls").get(0).path("arguments").asText()).isEqualTo(arguments);

    int beforeStream = appliance.auditCount();
    StringBuilder streamed = new StringBuilder();
    String[] id = new String[1];
    try (StreamResponse<ChatCompletionChunk> stream = client(helpdeskKey).chat().completions()
        .createStreaming(weatherTool())) {
      for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
        for (var delta : chunk.choices().get(0).delta().toolCalls().orElse(List.of())) {
          delta.id().ifPresent(x -> id[0] = x);
          delta.function().flatMap(fn -> fn.arguments()).ifPresent(streamed::append);
        }
      }
    }
    assertThat(streamed.toString()).isEqualTo(arguments);
    List<ObjectNode> records = appliance.auditRecordsSince(beforeStream);
    assertThat(records).extracting(r -> r.path("type").asText()).containsExactly("inference.request", "inference.response");
    assertThat(records.get(0).path("payload").path("request").path("tools").get(0).path("function").path("name")
        .asText()).isEqualTo("get_weather");
    JsonNode streamedCall = records.get(1).path("payload").path("outputs").get(0).path("toolCalls").get(0);
    assertThat(streamedCall.path("id").asText()).isEqualTo(id[0]);
    assertThat(streamedCall.path("arguments").asText()).isEqualTo(arguments);
    assertThat(records.get(1).path("fields").path("finishReason").asText()).isEqualTo("tool_calls");
  }

  @Test
  void embeddingsAreForwardedToTheExternalBackendAndAudited() throws Exception {
    int before = appliance.auditCount();
    CreateEmbeddingResponse r = client(helpdeskKey).embeddings().create(EmbeddingCreateParams.builder()
        .model("tiny-embed").input("airlock keeps models sealed").build());

    assertThat(r.data()).hasSize(1);
    assertThat(r.data().get(0).embedding()).hasSize(3);
    List<ObjectNode> records = appliance.auditRecordsSince(before);
    assertThat(records).extracting(x -> x.path("type").asText()).containsExactly("inference.request", "inference.response");
    assertThat(records.get(0).path("fields").path("route").asText()).isEqualTo("/v1/embeddings");
    assertThat(records.get(0).path("payload").path("request").path("input").asText()).isEqualTo("airlock keeps models sealed");
    assertThat(records.get(1).path("status").asText()).isEqualTo("completed");
    assertThat(records.get(1).path("fields").path("promptTokens").asText()).isEqualTo("4");
    assertThat(records.get(1).path("fields").path("totalTokens").asText()).isEqualTo("4");
    assertThat(records.get(1).path("payload").path("embeddings").asInt()).isEqualTo(1);
    assertThat(records.get(1).path("payload").path("dimensions").asInt()).isEqualTo(3);
    JsonNode receipt = records.get(1).path("payload").path("receipt");
    assertThat(receipt.path("catalogVersionId").asText()).isEqualTo(tinyEmbedVersion);
    assertThat(receipt.path("backend").asText()).isEqualTo("external");
    // Registered and reviewed: the receipt names the review and the policy it was approved under.
    assertThat(receipt.path("reviewId").asText()).isNotEmpty();
    assertThat(receipt.path("policy").asText()).isEqualTo("enterprise-default");
  }

  @Test
  void legacyCompletionsWorkWholeAndStreamedAndAreAudited() throws Exception {
    int before = appliance.auditCount();
    CompletionCreateParams params = CompletionCreateParams.builder()
        .model("chat-default").prompt("Once upon a time").maxTokens(2).user("dora").build();

    Completion whole = client(helpdeskKey).completions().create(params);
    assertThat(whole.choices().get(0).text()).isEqualTo("Hello from");
    assertThat(whole.choices().get(0).finishReason()).isEqualTo(CompletionChoice.FinishReason.LENGTH);
    StringBuilder streamed = new StringBuilder();
    try (StreamResponse<Completion> stream = client(helpdeskKey).completions().createStreaming(params)) {
      stream.stream().forEach(c -> c.choices().forEach(choice -> streamed.append(choice.text())));
    }
    assertThat(streamed.toString()).isEqualTo("Hello from");

    List<ObjectNode> records = appliance.auditRecordsSince(before);
    assertThat(records).extracting(r -> r.path("type").asText() + " " + r.path("status").asText()).containsExactly(
        "inference.request ok", "inference.response completed", "inference.request ok", "inference.response completed");
    assertThat(records.get(0).path("fields").path("route").asText()).isEqualTo("/v1/completions");
    assertThat(records.get(0).path("payload").path("request").path("prompt").asText()).isEqualTo("Once upon a time");
    assertThat(records.get(1).path("fields").path("finishReason").asText()).isEqualTo("length");
    assertThat(records.get(3).path("fields").path("finishReason").asText()).isEqualTo("length");
    assertThat(records.get(3).path("payload").path("response").asText()).isEqualTo("Hello from");
    assertThat(records.get(3).path("subject").asText()).isEqualTo("dora");
  }

  @Test
  void aMalformedRequestIsA400ThatTheSdkReportsAsBadRequest() throws Exception {
    int before = appliance.auditCount();
    ChatCompletionCreateParams empty = ChatCompletionCreateParams.builder().model("chat-default").messages(List.of()).build();
    assertThatThrownBy(() -> client(helpdeskKey).chat().completions().create(empty))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.param()).contains("messages");
          assertThat(e.getMessage()).contains("'messages' is required: a non-empty array");
        });
    assertThat(appliance.auditRecordsSince(before)).isEmpty();
  }

  @Test
  void aWrongKeyIsRefusedWith401AndNothingIsForwardedOrAudited() throws Exception {
    int before = appliance.auditCount();
    int forwarded = appliance.standIn.allRequests().size();
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("chat-default").addUserMessage("hi").build();

    assertThatThrownBy(() -> client("alk_not-a-real-key").chat().completions().create(params))
        .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(401);
          assertThat(e.code()).contains("invalid_api_key");
          assertThat(e.getMessage()).contains("The API key is not valid");
          assertThat(e.headers().values("x-request-id")).hasSize(1);
        });
    assertThat(appliance.auditRecordsSince(before)).isEmpty();
    assertThat(appliance.standIn.allRequests()).hasSize(forwarded);
  }

  @Test
  void anUngrantedModelLooksExactlyLikeAMissingOneAndIsRecordedAsRefused() throws Exception {
    int before = appliance.auditCount();
    int forwarded = appliance.standIn.allRequests().size();
    ChatCompletionCreateParams hidden = ChatCompletionCreateParams.builder()
        .model("hidden-model").addUserMessage("let me in").user("mallory").build();
    ChatCompletionCreateParams missing = ChatCompletionCreateParams.builder()
        .model("no-such-model").addUserMessage("let me in").user("mallory").build();

    String hiddenMessage = null;
    try {
      client(helpdeskKey).chat().completions().create(hidden);
    } catch (NotFoundException e) {
      assertThat(e.statusCode()).isEqualTo(404);
      assertThat(e.param()).contains("model");
      hiddenMessage = e.getMessage();
    }
    assertThat(hiddenMessage).contains("The model `hidden-model` does not exist or you do not have access to it.");
    assertThatThrownBy(() -> client(helpdeskKey).chat().completions().create(missing))
        .isInstanceOfSatisfying(NotFoundException.class, e ->
            assertThat(e.getMessage()).contains("The model `no-such-model` does not exist or you do not have access to it."));

    List<ObjectNode> records = appliance.auditRecordsSince(before);
    assertThat(records).hasSize(2);
    assertThat(records.get(0).path("type").asText()).isEqualTo("inference.refused");
    assertThat(records.get(0).path("subject").asText()).isEqualTo("mallory");
    assertThat(records.get(0).path("model").asText()).isEqualTo("hidden-model");
    assertThat(records.get(0).path("status").asText()).isEqualTo("refused");
    assertThat(records.get(0).path("fields").path("reason").asText()).isEqualTo("model_not_granted");
    assertThat(records.get(0).path("payload").isEmpty()).isTrue(); // a refused prompt is not kept
    assertThat(records.get(1).path("fields").path("reason").asText()).isEqualTo("model_not_granted");
    assertThat(appliance.standIn.allRequests()).hasSize(forwarded);
  }

  @Test
  void overTheRequestRateTheAppGets429WithRetryAfter() throws Exception {
    JsonNode limited = appliance.createApp("batch-job", List.of("chat-default"), Map.of("requestsPerMinute", 2));
    String key = limited.path("key").path("secret").asText();
    int before = appliance.auditCount();
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("chat-default").addUserMessage("one more").build();
    OpenAIClient client = client(key);

    client.chat().completions().create(params);
    client.chat().completions().create(params);
    assertThatThrownBy(() -> client.chat().completions().create(params))
        .isInstanceOfSatisfying(RateLimitException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(429);
          assertThat(e.code()).contains("rate_limit_exceeded");
          assertThat(e.getMessage()).contains("this app may use 2 requests per minute");
          long retryAfter = Long.parseLong(e.headers().values("retry-after").get(0));
          assertThat(retryAfter).isBetween(1L, 60L);
        });

    List<ObjectNode> records = appliance.auditRecordsSince(before);
    assertThat(records).extracting(r -> r.path("type").asText()).containsExactly(
        "inference.request", "inference.response", "inference.request", "inference.response", "inference.refused");
    assertThat(records.get(4).path("fields").path("reason").asText()).isEqualTo("rate_limited_requests");
    assertThat(records.get(4).path("fields").path("app").asText()).isEqualTo("batch-job");
  }

  private static Map<String, String> fields(ObjectNode record) {
    return TestAppliance.JSON.convertValue(record.path("fields"), Map.class);
  }
}
