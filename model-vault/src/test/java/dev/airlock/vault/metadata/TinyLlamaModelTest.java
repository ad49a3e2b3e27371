package dev.airlock.vault.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tiny test model reads back as the llama model llama.cpp expects (its loading is tested in the engine). */
class TinyLlamaModelTest {
  @TempDir Path dir;

  @Test
  void readsBackAsALlamaModelWithEveryHyperparameterLlamaCppNeeds() throws Exception {
    Path file = dir.resolve("tiny.gguf");
    TinyLlamaModel.DEFAULT.writeTo(file);

    GgufFile gguf = GgufReader.read(file);

    assertThat(gguf.version()).isEqualTo(3);
    assertThat(gguf.architecture()).contains("llama");
    assertThat(gguf.name()).contains(TinyLlamaModel.NAME);
    assertThat(gguf.license()).contains("apache-2.0");
    assertThat(gguf.architectureInteger("context_length")).hasValue(2048);
    assertThat(gguf.architectureInteger("embedding_length")).hasValue(64);
    assertThat(gguf.architectureInteger("block_count")).hasValue(2);
    assertThat(gguf.architectureInteger("feed_forward_length")).hasValue(128);
    assertThat(gguf.architectureInteger("attention.head_count")).hasValue(4);
    assertThat(gguf.architectureInteger("attention.head_count_kv")).hasValue(2);
    assertThat(gguf.architectureInteger("rope.dimension_count")).hasValue(16);
    assertThat(gguf.value("llama.attention.layer_norm_rms_epsilon").flatMap(v -> v.asDouble().isPresent()
        ? java.util.Optional.of(v.asDouble().getAsDouble()) : java.util.Optional.empty()))
        .hasValueSatisfying(eps -> assertThat(eps).isBetween(0.9e-5, 1.1e-5));
    assertThat(gguf.string("tokenizer.ggml.model")).contains("llama");
    assertThat(gguf.string("tokenizer.chat_template")).contains(TinyLlamaModel.CHAT_TEMPLATE);
    assertThat(gguf.integer("tokenizer.ggml.bos_token_id")).hasValue(TinyLlamaModel.BOS_ID);
    assertThat(gguf.integer("tokenizer.ggml.eos_token_id")).hasValue(TinyLlamaModel.EOS_ID);
  }

  @Test
  void vocabularyHasSpecialTokensAllByteTokensAndAScoreAndTypeForEach() throws Exception {
    Path file = dir.resolve("tiny.gguf");
    TinyLlamaModel.DEFAULT.writeTo(file);
    GgufFile gguf = GgufReader.read(file);

    List<Object> tokens = gguf.value("tokenizer.ggml.tokens").flatMap(GgufValue::asArray).orElseThrow().elements();
    List<Object> scores = gguf.value("tokenizer.ggml.scores").flatMap(GgufValue::asArray).orElseThrow().elements();
    List<Object> types = gguf.value("tokenizer.ggml.token_type").flatMap(GgufValue::asArray).orElseThrow().elements();

    assertThat(tokens).hasSizeBetween(300, 2000).hasSameSizeAs(scores).hasSameSizeAs(types);
    assertThat(tokens.subList(0, 5)).containsExactly("<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>");
    assertThat(tokens).doesNotHaveDuplicates();
    for (int b = 0; b < 256; b++) {
      int id = tokens.indexOf(String.format("<0x%02X>", b));
      assertThat(id).as("byte token %02X", b).isPositive();
      assertThat(types.get(id)).as("type of byte token %02X", b).isEqualTo(6L);
    }
    assertThat(types.get(0)).isEqualTo(2L);
    assertThat(types.get(1)).isEqualTo(3L);
    assertThat(tokens).contains("\u2581hello", "\u2581model");
    assertThat(gguf.integer("llama.vocab_size")).hasValue(tokens.size());
  }

  @Test
  void hasEveryLlamaTensorWithShapesThatFitTheHyperparameters() throws Exception {
    Path file = dir.resolve("tiny.gguf");
    TinyLlamaModel m = TinyLlamaModel.DEFAULT;
    m.writeTo(file);
    GgufFile gguf = GgufReader.read(file);
    long vocab = TinyLlamaModel.vocabulary().size();
    long kv = (long) m.embedding() / m.heads() * m.kvHeads();

    assertThat(gguf.tensors()).hasSize(3 + 9 * m.layers());
    assertThat(shape(gguf, "token_embd.weight")).containsExactly(64L, vocab);
    assertThat(shape(gguf, "output.weight")).containsExactly(64L, vocab);
    assertThat(shape(gguf, "output_norm.weight")).containsExactly(64L);
    for (int l = 0; l < m.layers(); l++) {
      assertThat(shape(gguf, "blk." + l + ".attn_q.weight")).containsExactly(64L, 64L);
      assertThat(shape(gguf, "blk." + l + ".attn_k.weight")).containsExactly(64L, kv);
      assertThat(shape(gguf, "blk." + l + ".attn_v.weight")).containsExactly(64L, kv);
      assertThat(shape(gguf, "blk." + l + ".attn_output.weight")).containsExactly(64L, 64L);
      assertThat(shape(gguf, "blk." + l + ".ffn_gate.weight")).containsExactly(64L, 128L);
      assertThat(shape(gguf, "blk." + l + ".ffn_up.weight")).containsExactly(64L, 128L);
      assertThat(shape(gguf, "blk." + l + ".ffn_down.weight")).containsExactly(128L, 64L);
      assertThat(shape(gguf, "blk." + l + ".attn_norm.weight")).containsExactly(64L);
      assertThat(shape(gguf, "blk." + l + ".ffn_norm.weight")).containsExactly(64L);
    }
    assertThat(gguf.tensors()).allSatisfy(t -> assertThat(t.type()).contains(GgmlType.F32));
    // The file holds the data its tensor infos promise, and no more than alignment padding besides.
    long data = gguf.tensors().stream().mapToLong(t -> t.elementCount() * 4).sum();
    assertThat(gguf.fileSize() - gguf.dataOffset()).isBetween(data, data + 32L * gguf.tensors().size());
  }

  @Test
  void sameSeedGivesTheSameBytesAndAnotherSeedOtherWeights() throws Exception {
    byte[] a = TinyLlamaModel.DEFAULT.toWriter().toByteArray();
    byte[] b = TinyLlamaModel.DEFAULT.toWriter().toByteArray();
    TinyLlamaModel other = new TinyLlamaModel(2, 64, 4, 2, 128, 2048, 7L);
    byte[] c = other.toWriter().toByteArray();

    assertThat(a).isEqualTo(b);
    assertThat(c).hasSameSizeAs(a).isNotEqualTo(a);
    Path file = dir.resolve("written.gguf");
    TinyLlamaModel.DEFAULT.writeTo(file);
    assertThat(Files.readAllBytes(file)).isEqualTo(a);
  }

  @Test
  void rejectsDimensionsThatDoNotSplitIntoHeads() {
    assertThatThrownBy(() -> new TinyLlamaModel(2, 64, 5, 1, 128, 2048, 1L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("embedding 64 must split into 5 heads");
    assertThatThrownBy(() -> new TinyLlamaModel(2, 64, 4, 3, 128, 2048, 1L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("into 3 key/value groups");
    assertThatThrownBy(() -> new TinyLlamaModel(0, 64, 4, 2, 128, 2048, 1L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be positive");
  }

  private static List<Long> shape(GgufFile gguf, String name) {
    return gguf.tensors().stream().filter(t -> t.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no tensor " + name)).dimensions();
  }
}
