package dev.airlock.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.airlock.vault.metadata.TinyLlamaModel;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded engine as the gateway sees it: a child process running llama.cpp on the tiny model
 * (real inference on the CPU), answering vLLM's OpenAI routes with vLLM's shapes. The official
 * OpenAI Java SDK is the client where it can be; raw HTTP checks the exact wire shapes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedEngineTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAME = "tiny-chat";
  /** The engine's context window in these tests. */
  private static final int CONTEXT = 2048;

  @TempDir static Path dir;
  EngineProcess engine;
  OpenAIClient client;

  @BeforeAll
  void start() throws Exception {
    Path model = dir.resolve("vault/tiny.gguf");
    java.nio.file.Files.createDirectories(model.getParent());
    TinyLlamaModel.DEFAULT.writeTo(model);
    engine = EngineProcess.start(EngineProcess.settings(model, NAME, dir.resolve("work"), CONTEXT), dir.resolve("engine.log"))
        .awaitReady();
    client = OpenAIOkHttpClient.builder().apiKey("not-checked-by-the-engine").baseUrl(engine.baseUrl())
        .maxRetries(0).timeout(Duration.ofSeconds(60)).build();
  }

  @AfterAll
  void stop() throws Exception {
    if (engine != null) engine.close();
  }

  private static ChatCompletionCreateParams.Builder chat(String prompt, int maxTokens) {
    return ChatCompletionCreateParams.builder().model(NAME).addUserMessage(prompt)
        .maxCompletionTokens(maxTokens).temperature(0.8).seed(42L);
  }

  @Test
  void listsTheServedModelWithItsContextLength() throws Exception {
    List<Model> models = client.models().list().data();

    assertThat(models).extracting(Model::id).containsExactly(NAME);
    assertThat(models.get(0).ownedBy()).isEqualTo("vllm");
    JsonNode raw = JSON.readTree(engine.get("/v1/models").body());
    assertThat(raw.path("object").asText()).isEqualTo("list");
    assertThat(raw.path("data").get(0).path("max_model_len").asInt()).isEqualTo(CONTEXT);
    assertThat(raw.path("data").get(0).path("root").asText()).endsWith("tiny.gguf");
  }

  @Test
  void healthAnswers200WithAnEmptyBody() throws Exception {
    HttpResponse<String> health = engine.get("/health");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEmpty();
  }

  @Test
  void chatCompletionThroughTheSdkGeneratesRealTokensAndCountsThem() {
    ChatCompletion completion = client.chat().completions().create(chat("Hello, model", 8).build());

    assertThat(completion.id()).startsWith("chatcmpl-");
    assertThat(completion.model()).isEqualTo(NAME);
    ChatCompletion.Choice choice = completion.choices().get(0);
    assertThat(choice.message().content()).isPresent();
    CompletionUsage usage = completion.usage().orElseThrow();
    // The ChatML template around "Hello, model" is well over 10 tokens.
    assertThat(usage.promptTokens()).isGreaterThan(10);
    assertThat(usage.completionTokens()).isBetween(1L, 8L);
    assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
    if (choice.finishReason() == ChatCompletion.Choice.FinishReason.LENGTH) {
      assertThat(usage.completionTokens()).isEqualTo(8);
    } else {
      assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    }
  }

  @Test
  void streamingChatThroughTheSdkStartsWithTheRoleAndSaysWhatTheNonStreamedAnswerSays() {
    ChatCompletion whole = client.chat().completions().create(chat("Tell me about air locks", 12).build());

    List<ChatCompletionChunk> chunks = new ArrayList<>();
    ChatCompletionCreateParams params = chat("Tell me about air locks", 12)
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunks::add);
    }

    assertThat(chunks).hasSizeGreaterThanOrEqualTo(3);
    ChatCompletionChunk first = chunks.get(0);
    assertThat(first.choices().get(0).delta().role()).contains(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT);
    assertThat(first.choices().get(0).delta().content()).contains("");
    StringBuilder text = new StringBuilder();
    List<ChatCompletionChunk> contentChunks = chunks.subList(1, chunks.size() - 1);
    for (ChatCompletionChunk c : contentChunks) text.append(c.choices().get(0).delta().content().orElse(""));
    // Same seed, same prompt: llama.cpp samples the same tokens whether it streams or not.
    assertThat(text.toString()).isEqualTo(whole.choices().get(0).message().content().orElseThrow());
    ChatCompletionChunk lastContent = contentChunks.get(contentChunks.size() - 1);
    assertThat(lastContent.choices().get(0).finishReason()).isPresent();
    assertThat(contentChunks.subList(0, contentChunks.size() - 1))
        .allSatisfy(c -> assertThat(c.choices().get(0).finishReason()).isEmpty());
    ChatCompletionChunk usageChunk = chunks.get(chunks.size() - 1);
    assertThat(usageChunk.choices()).isEmpty();
    assertThat(usageChunk.usage().orElseThrow().completionTokens())
        .isEqualTo(whole.usage().orElseThrow().completionTokens());
    assertThat(usageChunk.usage().orElseThrow().promptTokens()).isEqualTo(whole.usage().orElseThrow().promptTokens());
    assertThat(chunks).extracting(ChatCompletionChunk::id).containsOnly(first.id());
  }

  @Test
  void streamOnTheWireIsVllmsChunkSequenceEndingWithDone() throws Exception {
    HttpResponse<String> r = engine.post("/v1/chat/completions", """
        {"model":"tiny-chat","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"seed":3,
         "stream":true,"stream_options":{"include_usage":true}}""");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("text/event-stream; charset=utf-8");
    List<String> events = List.of(r.body().split("\n\n"));
    assertThat(events).allSatisfy(e -> assertThat(e).startsWith("data: "));
    assertThat(events.get(events.size() - 1)).isEqualTo("data: [DONE]");
    JsonNode first = JSON.readTree(events.get(0).substring(6));
    assertThat(first.path("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(first.path("choices").get(0).toString())
        .isEqualTo("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}");
    JsonNode last = JSON.readTree(events.get(events.size() - 3).substring(6));
    assertThat(last.path("choices").get(0).path("finish_reason").asText()).isIn("stop", "length");
    assertThat(last.path("choices").get(0).has("stop_reason")).isTrue();
    JsonNode usage = JSON.readTree(events.get(events.size() - 2).substring(6));
    assertThat(usage.path("choices").isEmpty()).isTrue();
    assertThat(fieldNames(usage.path("usage"))).containsExactly("prompt_tokens", "total_tokens", "completion_tokens");
  }

  @Test
  void streamWithoutIncludeUsageHasNoUsageChunk() throws Exception {
    HttpResponse<String> r = engine.post("/v1/chat/completions", """
        {"model":"tiny-chat","messages":[{"role":"user","content":"hi"}],"max_tokens":3,"stream":true}""");

    assertThat(r.body()).doesNotContain("\"usage\"").endsWith("data: [DONE]\n\n");
  }

  @Test
  void nonStreamedChatHasVllmsFieldsInVllmsOrder() throws Exception {
    HttpResponse<String> r = engine.post("/v1/chat/completions", """
        {"model":"tiny-chat","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}],
         "max_tokens":4}""");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(fieldNames(body)).containsExactly("id", "object", "created", "model", "choices", "service_tier",
        "system_fingerprint", "usage", "prompt_logprobs", "prompt_token_ids", "kv_transfer_params");
    assertThat(fieldNames(body.path("choices").get(0)))
        .containsExactly("index", "message", "logprobs", "finish_reason", "stop_reason", "token_ids");
    assertThat(fieldNames(body.path("choices").get(0).path("message"))).containsExactly("role", "content", "refusal",
        "annotations", "audio", "function_call", "tool_calls", "reasoning");
  }

  @Test
  void completionsDefaultToSixteenTokensAndStream() throws Exception {
    Completion c = client.completions().create(CompletionCreateParams.builder()
        .model(CompletionCreateParams.Model.of(NAME)).prompt("The model says").seed(5L).build());

    assertThat(c.id()).startsWith("cmpl-");
    assertThat(c.usage().orElseThrow().completionTokens()).isBetween(1L, 16L);
    assertThat(c.choices().get(0).text()).isNotNull();

    HttpResponse<String> streamed = engine.post("/v1/completions", """
        {"model":"tiny-chat","prompt":"The model says","max_tokens":4,"stream":true,
         "stream_options":{"include_usage":true}}""");
    List<String> events = List.of(streamed.body().split("\n\n"));
    assertThat(events.get(events.size() - 1)).isEqualTo("data: [DONE]");
    JsonNode firstChunk = JSON.readTree(events.get(0).substring(6));
    assertThat(firstChunk.path("object").asText()).isEqualTo("text_completion");
    assertThat(firstChunk.path("choices").get(0).has("text")).isTrue();
    JsonNode usage = JSON.readTree(events.get(events.size() - 2).substring(6)).path("usage");
    assertThat(usage.path("completion_tokens").asInt()).isBetween(1, 4);
  }

  @Test
  void unknownModelIsVllmsNotFound() throws Exception {
    assertThatThrownBy(() -> client.chat().completions().create(
        ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("hi").build()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("The model `gpt-4o` does not exist.");

    HttpResponse<String> r = engine.post("/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[]}");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo(
        "{\"error\":{\"message\":\"The model `gpt-4o` does not exist.\",\"type\":\"NotFoundError\",\"param\":\"model\",\"code\":404}}");
  }

  @Test
  void promptLongerThanTheContextIsABadRequestNamingTheLimit() {
    String longPrompt = "hello ".repeat(3000);

    assertThatThrownBy(() -> client.chat().completions().create(chat(longPrompt, 8).build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("This model's maximum context length is 2048 tokens");
  }

  @Test
  void promptPlusMaxTokensOverTheContextIsABadRequest() throws Exception {
    HttpResponse<String> r = engine.post("/v1/chat/completions", """
        {"model":"tiny-chat","messages":[{"role":"user","content":"hi"}],"max_tokens":2040}""");

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode err = JSON.readTree(r.body()).path("error");
    assertThat(err.path("type").asText()).isEqualTo("BadRequestError");
    assertThat(err.path("code").asInt()).isEqualTo(400);
    assertThat(err.path("message").asText()).contains("maximum context length is 2048 tokens", "2040 in the completion");
  }

  @Test
  void toolsJsonSchemasAndLogprobsAreRefusedNamingTheFieldNeverIgnored() throws Exception {
    String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    Map<String, String> refused = new java.util.LinkedHashMap<>();
    refused.put("tools", "{\"model\":\"tiny-chat\"," + messages + ",\"tools\":[{\"type\":\"function\","
        + "\"function\":{\"name\":\"get_weather\"}}]}");
    refused.put("response_format", "{\"model\":\"tiny-chat\"," + messages
        + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{}}}}");
    refused.put("logprobs", "{\"model\":\"tiny-chat\"," + messages + ",\"logprobs\":true}");
    for (var r : refused.entrySet()) {
      HttpResponse<String> answer = engine.post("/v1/chat/completions", r.getValue());
      assertThat(answer.statusCode()).as(r.getKey()).isEqualTo(400);
      JsonNode err = JSON.readTree(answer.body()).path("error");
      assertThat(err.path("param").asText()).isEqualTo(r.getKey());
      assertThat(err.path("message").asText()).startsWith("the embedded engine does not").contains("serve this model"
          + " with vLLM, or send no '" + r.getKey() + "'");
    }
    // Saying no tools, or plain text, is no request for them.
    HttpResponse<String> none = engine.post("/v1/chat/completions", "{\"model\":\"tiny-chat\"," + messages
        + ",\"max_tokens\":2,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":\"none\","
        + "\"response_format\":{\"type\":\"text\"},\"logprobs\":false}");
    assertThat(none.statusCode()).as(none.body()).isEqualTo(200);
    for (String route : List.of("/v1/rerank", "/v1/score")) {
      HttpResponse<String> rerank = engine.post(route, "{\"model\":\"tiny-chat\",\"query\":\"q\",\"documents\":[\"d\"]}");
      assertThat(rerank.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(rerank.body()).path("error").path("message").asText())
          .isEqualTo("the embedded engine does not rerank or score: serve a reranker model with vLLM");
    }
  }

  @Test
  void badJsonAndBadParametersAreBadRequestsSayingWhatIsWrong() throws Exception {
    HttpResponse<String> notJson = engine.post("/v1/chat/completions", "{not json");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(notJson.body()).path("error").path("message").asText()).startsWith("the request body is not valid JSON");

    HttpResponse<String> noMessages = engine.post("/v1/chat/completions", "{\"model\":\"tiny-chat\"}");
    assertThat(noMessages.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noMessages.body()).path("error").path("param").asText()).isEqualTo("messages");

    HttpResponse<String> hot = engine.post("/v1/chat/completions",
        "{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":7}");
    assertThat(hot.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(hot.body()).path("error").path("message").asText())
        .isEqualTo("temperature must be a number from 0 to 2, got 7");

    HttpResponse<String> many = engine.post("/v1/chat/completions",
        "{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":3}");
    assertThat(many.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(many.body()).path("error").path("param").asText()).isEqualTo("n");
  }

  @Test
  void embeddingsOnAGenerationModelAreAnOpenAiShapedError() {
    assertThatThrownBy(() -> client.embeddings().create(EmbeddingCreateParams.builder()
        .model(NAME).input("some text").build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("The model does not support Embeddings API");
  }

  @Test
  void otherPathsAreNotFound() throws Exception {
    assertThat(engine.get("/v1/files").statusCode()).isEqualTo(404);
    assertThat(engine.post("/v1/responses", "{}").statusCode()).isEqualTo(404);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
