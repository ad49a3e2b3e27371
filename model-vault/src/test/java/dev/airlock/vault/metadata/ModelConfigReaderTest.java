package dev.airlock.vault.metadata;

import static dev.airlock.vault.metadata.Fixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigReaderTest {
  @TempDir Path dir;

  @Test
  void readsArchitectureDtypeContextAndKvDimensionsOfLlama31() throws Exception {
    ModelConfig c = ModelConfigReader.read(resource("configs/llama-3.1-8b.json"), "config.json");
    assertThat(c.architectures()).containsExactly("LlamaForCausalLM");
    assertThat(c.modelType()).contains("llama");
    assertThat(c.dtype()).contains("bfloat16");
    assertThat(c.quantization()).isEmpty();
    assertThat(c.needsRemoteCode()).isFalse();
    assertThat(c.maxPositionEmbeddings()).hasValue(131072);
    assertThat(c.numHiddenLayers()).hasValue(32);
    assertThat(c.numAttentionHeads()).hasValue(32);
    assertThat(c.numKeyValueHeads()).hasValue(8);
    assertThat(c.hiddenSize()).hasValue(4096);
    assertThat(c.headDim()).hasValue(128); // 4096 / 32
  }

  @Test
  void readsAwqQuantization() throws Exception {
    ModelConfig c = ModelConfigReader.read(resource("configs/qwen2.5-7b-awq.json"), "config.json");
    Quantization q = c.quantization().orElseThrow();
    assertThat(q.method()).isEqualTo("awq");
    assertThat(q.bits()).hasValue(4);
    assertThat(q.evidence().toString())
        .isEqualTo("config.json (quantization_config): quantization_config.quant_method = \"awq\"");
    assertThat(c.dtype()).contains("float16");
  }

  @Test
  void readsGptqFp8AndBitsandbytes() throws Exception {
    Quantization gptq = ModelConfigReader.read(resource("configs/gptq.json")).quantization().orElseThrow();
    assertThat(gptq.method()).isEqualTo("gptq");
    assertThat(gptq.bits()).hasValue(8);
    Quantization fp8 = ModelConfigReader.read(resource("configs/deepseek-v3-fp8-remote-code.json")).quantization().orElseThrow();
    assertThat(fp8.method()).isEqualTo("fp8");
    assertThat(fp8.bits()).hasValue(8);
    ModelConfig bnb = ModelConfigReader.read(resource("configs/bnb-4bit.json"));
    assertThat(bnb.quantization().orElseThrow().method()).isEqualTo("bitsandbytes");
    assertThat(bnb.quantization().orElseThrow().bits()).hasValue(4);
    assertThat(bnb.dtype()).as("the newer 'dtype' key").contains("bfloat16");
  }

  @Test
  void autoMapMeansCustomCode() throws Exception {
    ModelConfig c = ModelConfigReader.read(resource("configs/deepseek-v3-fp8-remote-code.json"));
    assertThat(c.needsRemoteCode()).isTrue();
    assertThat(c.autoMap()).containsEntry("AutoModelForCausalLM", "modeling_deepseek.DeepseekV3ForCausalLM");
    assertThat(c.numKeyValueHeads()).hasValue(128);
    assertThat(c.headDim()).hasValue(56); // 7168 / 128
  }

  @Test
  void takesDimensionsFromTextConfigOfMultimodalModels() throws Exception {
    ModelConfig c = ModelConfigReader.read(resource("configs/gemma-3-multimodal.json"));
    assertThat(c.architectures()).containsExactly("Gemma3ForConditionalGeneration");
    assertThat(c.numHiddenLayers()).hasValue(34);
    assertThat(c.numKeyValueHeads()).hasValue(4);
    assertThat(c.headDim()).as("explicit head_dim wins over hidden/heads").hasValue(256);
    assertThat(c.maxPositionEmbeddings()).hasValue(131072);
  }

  @Test
  void rejectsInvalidJsonSayingWhere() {
    assertThatThrownBy(() -> ModelConfigReader.read(resource("configs/truncated.json"), "config.json"))
        .isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith("config.json: is not valid JSON at line 4, column ")
        .hasMessageEndingWith("; expected a model config (config.json)");
  }

  @Test
  void rejectsJsonThatIsNotAnObject() {
    assertThatThrownBy(() -> ModelConfigReader.read(resource("configs/not-an-object.json"), "config.json"))
        .hasMessage("config.json: holds a JSON array; expected a model config (config.json) (a JSON object)");
  }

  @Test
  void rejectsBinaryJunkNamedConfigJson() throws Exception {
    byte[] junk = new byte[2048];
    new Random(11).nextBytes(junk);
    junk[0] = (byte) 0x89;
    junk[3] = 0;
    Path f = dir.resolve("config.json");
    Files.write(f, junk);
    assertThatThrownBy(() -> ModelConfigReader.read(f))
        .isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith("config.json: contains a NUL byte at offset ")
        .hasMessageEndingWith(": it is binary, not JSON text; expected a model config (config.json)");
    // Junk without NUL bytes still fails as JSON, at its first byte.
    Files.write(f, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n'});
    assertThatThrownBy(() -> ModelConfigReader.read(f))
        .hasMessageStartingWith("config.json: is not valid JSON at line 1, column 1");
  }

  @Test
  void rejectsAnOversizedConfigWithoutReadingIt() throws Exception {
    Path f = dir.resolve("config.json");
    try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
        java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.SPARSE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {'}'}), ModelConfigReader.MAX_CONFIG_BYTES + 10);
    }
    assertThatThrownBy(() -> ModelConfigReader.read(f))
        .hasMessage("config.json: is 4194315 bytes, more than the 4194304 Airlock reads for a model config (config.json); it is not a real one");
  }

  @Test
  void aMissingConfigIsAClearError() {
    assertThatThrownBy(() -> ModelConfigReader.read(dir.resolve("config.json")))
        .hasMessage("config.json: no such config file; check the path");
  }
}
