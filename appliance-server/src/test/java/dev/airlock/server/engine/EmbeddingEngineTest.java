package dev.airlock.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.airlock.vault.metadata.TinyLlamaModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The engine started with {@code --embeddings}: {@code /v1/embeddings} through the OpenAI SDK, and generation refused. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingEngineTest {
  @TempDir static Path dir;
  EngineProcess engine;
  OpenAIClient client;

  @BeforeAll
  void start() throws Exception {
    Path model = dir.resolve("tiny.gguf");
    TinyLlamaModel.DEFAULT.writeTo(model);
    var s = new EmbeddedEngineLauncher.Settings(model, "tiny-embed", EngineProcess.freePort(), 1, 512, true, dir.resolve("w"));
    engine = EngineProcess.start(s, dir.resolve("e.log")).awaitReady();
    client = OpenAIOkHttpClient.builder().apiKey("unused").baseUrl(engine.baseUrl()).maxRetries(0)
        .timeout(Duration.ofSeconds(60)).build();
  }

  @AfterAll
  void stop() throws Exception {
    if (engine != null) engine.close();
  }

  @Test
  void embedsEachInputAsAVectorOfTheModelsWidth() {
    CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model("tiny-embed")
        .inputOfArrayOfStrings(List.of("hello the model", "secure air lock", "hello the model")).build());

    assertThat(r.data()).hasSize(3);
    assertThat(r.data()).extracting(e -> e.index()).containsExactly(0L, 1L, 2L);
    List<Float> a = r.data().get(0).embedding();
    assertThat(a).hasSize(TinyLlamaModel.DEFAULT.embedding()).allSatisfy(v -> assertThat(v).isFinite());
    assertThat(r.data().get(2).embedding()).isEqualTo(a);
    assertThat(r.data().get(1).embedding()).isNotEqualTo(a);
    assertThat(r.usage().promptTokens()).isGreaterThanOrEqualTo(6);
    assertThat(r.usage().totalTokens()).isEqualTo(r.usage().promptTokens());
  }

  @Test
  void chatOnAnEmbeddingEngineIsAnOpenAiShapedError() throws Exception {
    assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("tiny-embed").addUserMessage("hi").build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("The model does not support Chat Completions API");
    assertThat(engine.post("/v1/completions", "{\"prompt\":\"hi\"}").body())
        .isEqualTo("{\"error\":{\"message\":\"The model does not support Completions API\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}}");
  }

  @Test
  void emptyInputIsABadRequest() throws Exception {
    var r = engine.post("/v1/embeddings", "{\"model\":\"tiny-embed\",\"input\":[]}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("\"param\":\"input\"");
  }
}
