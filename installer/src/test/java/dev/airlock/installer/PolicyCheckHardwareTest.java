package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hardware-fit rules with {@code --gpus} and {@code --gpu-memory-gib}, sized by the inspector. */
class PolicyCheckHardwareTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;
  Path model;

  /** The qwen3 fixture with a Llama-3.1-8B-shaped config (128k context) and a small weights file. */
  @BeforeEach
  void model() throws Exception {
    model = Files.createDirectories(tmp.resolve("model"));
    try (Stream<Path> files = Files.list(Path.of(PolicyCommandTest.FIXTURES, "qwen3-apache"))) {
      for (Path f : files.toList()) Files.copy(f, model.resolve(f.getFileName()));
    }
    Files.writeString(model.resolve("config.json"), """
        {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "torch_dtype": "bfloat16",
         "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
         "hidden_size": 4096, "head_dim": 128, "max_position_embeddings": 131072}
        """);
    int rows = 512;
    int cols = 1024;
    byte[] header = ("{\"w\":{\"dtype\":\"BF16\",\"shape\":[" + rows + "," + cols
        + "],\"data_offsets\":[0," + (2L * rows * cols) + "]}}").getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + 2 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header);
    Files.write(model.resolve("model.safetensors"), b.array());
  }

  JsonNode check(String... extra) throws Exception {
    String[] base = {"policy", "check", model.toString(), "--policy", "enterprise-default",
        "--publisher", "Example", "--origin-country", "US", "--json"};
    String[] args = Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
    AirlockCliTest.Run r = AirlockCliTest.run(args);
    JsonNode j = JSON.readTree(r.out());
    assertThat(r.exit()).as(r.err()).isEqualTo(j.get("exit_code").asInt());
    return j;
  }

  static JsonNode fit(JsonNode j) {
    return PolicyCheckBundleTest.rule(j, "review-hardware-fit");
  }

  @Test
  void withoutGpusTheHardwareRuleIsNotApplicable() throws Exception {
    JsonNode j = check();
    assertThat(fit(j).get("outcome").asText()).isEqualTo("NOT_APPLICABLE");
    assertThat(j.get("verdict").asText()).isEqualTo("ALLOW");
  }

  @Test
  void aModelWhoseKvCacheDoesNotFitGoesToReview() throws Exception {
    // 128k tokens of KV cache for 32 layers x 8 KV heads x 128 dims in bf16 is 16 GiB.
    JsonNode j = check("--gpus", "1", "--gpu-memory-gib", "8");
    assertThat(j.get("verdict").asText()).isEqualTo("REVIEW");
    assertThat(j.get("deciding_rules").toString()).isEqualTo("[\"review-hardware-fit\"]");
    assertThat(fit(j).get("reason").asText()).startsWith("The model does not fit: ");
  }

  @Test
  void aModelThatFitsPasses() throws Exception {
    JsonNode j = check("--gpus", "2", "--gpu-memory-gib", "80");
    assertThat(fit(j).get("outcome").asText()).isEqualTo("PASS");
    assertThat(fit(j).get("reason").asText()).startsWith("The model fits: ");
    assertThat(j.get("verdict").asText()).isEqualTo("ALLOW");
  }

  @Test
  void gpuOptionsGoTogether() {
    AirlockCliTest.Run r = AirlockCliTest.run("policy", "check", model.toString(), "--policy",
        "enterprise-default", "--gpus", "2");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("airlock policy check: --gpus and --gpu-memory-gib go together,"
        + " both above zero (e.g. --gpus 2 --gpu-memory-gib 80); found --gpus 2 --gpu-memory-gib 0.0.\n");
  }
}
