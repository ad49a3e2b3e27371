package dev.airlock.vault.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufReaderTest {
  @TempDir Path dir;

  /** A small llama-shaped file: 2 layers of 4 heads (2 KV heads) over a 16-wide embedding. */
  static GgufWriter tinyLlama() {
    GgufWriter w = new GgufWriter()
        .putString("general.architecture", "llama")
        .putString("general.name", "Tiny Llama")
        .putString("general.license", "apache-2.0")
        .putUint32("general.file_type", 1)
        .put("general.base_model.count", GgufValue.uint32(2))
        .putString("general.base_model.0.name", "Llama 3.1 8B")
        .putString("general.base_model.0.organization", "Meta Llama")
        .putString("general.base_model.0.repo_url", "https://huggingface.co/meta-llama/Llama-3.1-8B")
        .putString("general.base_model.1.name", "Qwen2.5 7B")
        .putUint32("llama.context_length", 2048)
        .putUint32("llama.block_count", 2)
        .putUint32("llama.embedding_length", 16)
        .putUint32("llama.attention.head_count", 4)
        .putUint32("llama.attention.head_count_kv", 2)
        .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
        .put("tokenizer.ggml.tokens", GgufValue.strings(List.of("<unk>", "<s>", "</s>", "héllo")))
        .put("tokenizer.ggml.scores", GgufValue.float32s(new float[] {0f, 0f, 0f, -1.5f}))
        .put("tokenizer.ggml.token_type", GgufValue.int32s(new int[] {2, 3, 3, 1}))
        .put("general.tags", GgufValue.array(GgufValueType.ARRAY,
            List.of(new GgufValue.Array(GgufValueType.UINT8, List.of(1L, 2L)))))
        .put("test.int8", GgufValue.int8(-5))
        .put("test.uint16", GgufValue.uint16(65535))
        .put("test.int16", GgufValue.int16(-300))
        .put("test.int64", GgufValue.int64(-1L << 40))
        .put("test.uint64", GgufValue.uint64(1L << 40))
        .put("test.float64", GgufValue.float64(Math.PI))
        .put("test.bool", GgufValue.bool(true))
        .put("test.uint8", GgufValue.uint8(200));
    float[] embd = new float[16 * 4];
    Arrays.fill(embd, 0.25f);
    w.addTensor("token_embd.weight", GgmlType.F16, new long[] {16, 4}, embd);
    w.addTensor("output_norm.weight", GgmlType.F32, new long[] {16}, new float[16]);
    w.addTensor("blk.0.attn_q.weight", GgmlType.F16, new long[] {16, 16}, new float[256]);
    return w;
  }

  @Test
  void readsBackEveryValueTypeAndTensorTheWriterWrote() throws Exception {
    Path f = dir.resolve("tiny.gguf");
    tinyLlama().writeTo(f);

    GgufFile g = GgufReader.read(f);

    assertThat(g.version()).isEqualTo(3);
    assertThat(g.architecture()).contains("llama");
    assertThat(g.name()).contains("Tiny Llama");
    assertThat(g.license()).contains("apache-2.0");
    assertThat(g.fileTypeName()).contains("F16");
    assertThat(g.contextLength()).hasValue(2048);
    assertThat(g.blockCount()).hasValue(2);
    assertThat(g.headCountKv()).hasValue(2);
    assertThat(g.keyLength()).hasValue(4); // 16 / 4 heads
    assertThat(g.value("tokenizer.ggml.tokens").flatMap(GgufValue::asArray).orElseThrow().elements())
        .containsExactly("<unk>", "<s>", "</s>", "héllo");
    assertThat(g.value("tokenizer.ggml.scores").flatMap(GgufValue::asArray).orElseThrow().elements())
        .containsExactly(0.0, 0.0, 0.0, -1.5);
    assertThat(g.value("general.tags").flatMap(GgufValue::asArray).orElseThrow().elements())
        .containsExactly(new GgufValue.Array(GgufValueType.UINT8, List.of(1L, 2L)));
    assertThat(g.integer("test.int8")).hasValue(-5);
    assertThat(g.integer("test.uint16")).hasValue(65535);
    assertThat(g.integer("test.int16")).hasValue(-300);
    assertThat(g.integer("test.int64")).hasValue(-1L << 40);
    assertThat(g.integer("test.uint64")).hasValue(1L << 40);
    assertThat(g.integer("test.uint8")).hasValue(200);
    assertThat(g.value("test.float64").orElseThrow().asDouble()).hasValue(Math.PI);
    assertThat(g.value("test.bool").orElseThrow().value()).isEqualTo(true);
    assertThat(g.value("llama.attention.layer_norm_rms_epsilon").orElseThrow().type()).isEqualTo(GgufValueType.FLOAT32);

    assertThat(g.tensors()).extracting(GgufTensorInfo::name)
        .containsExactly("token_embd.weight", "output_norm.weight", "blk.0.attn_q.weight");
    assertThat(g.tensors().get(0).dimensions()).containsExactly(16L, 4L);
    assertThat(g.tensors().get(0).type()).contains(GgmlType.F16);
    // 64 + 16 + 256 elements
    assertThat(g.parameterCount()).isEqualTo(336);
    assertThat(g.dataOffset() % 32).isZero();
    for (GgufTensorInfo t : g.tensors()) assertThat(t.offset() % 32).isZero();
  }

  @Test
  void tensorDataLandsAtTheOffsetsTheHeaderGives() throws Exception {
    Path f = dir.resolve("tiny.gguf");
    tinyLlama().writeTo(f);
    GgufFile g = GgufReader.read(f);
    byte[] bytes = Files.readAllBytes(f);
    GgufTensorInfo embd = g.tensors().get(0);
    int at = (int) (g.dataOffset() + embd.offset());
    short half = ByteBuffer.wrap(bytes, at, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
    assertThat(Float.float16ToFloat(half)).isEqualTo(0.25f);
  }

  @Test
  void honoursGeneralAlignment() throws Exception {
    GgufWriter w = new GgufWriter().putString("general.architecture", "llama").putUint32("general.alignment", 64);
    w.addTensor("a", GgmlType.F32, new long[] {3}, new float[] {1, 2, 3});
    w.addTensor("b", GgmlType.F32, new long[] {5}, new float[] {1, 2, 3, 4, 5});
    GgufFile g = readBytes(w.toByteArray());
    assertThat(g.alignment()).isEqualTo(64);
    assertThat(g.dataOffset() % 64).isZero();
    assertThat(g.tensors().get(1).offset()).isEqualTo(64);
  }

  @Test
  void namesBaseModelsWithEvidence() throws Exception {
    GgufFile g = readBytes(tinyLlama().toByteArray());
    assertThat(g.baseModels()).hasSize(2);
    GgufFile.GgufBaseModel first = g.baseModels().get(0);
    assertThat(first.name()).contains("Llama 3.1 8B");
    assertThat(first.organization()).contains("Meta Llama");
    assertThat(first.repoUrl()).contains("https://huggingface.co/meta-llama/Llama-3.1-8B");
    assertThat(first.evidence().toString())
        .isEqualTo("model.gguf (GGUF key general.base_model.0.name): general.base_model.0.name = \"Llama 3.1 8B\"");
    assertThat(g.evidence("general.license").orElseThrow().excerpt()).isEqualTo("general.license = \"apache-2.0\"");
  }

  @Test
  void readsVersion2Files() throws Exception {
    byte[] bytes = tinyLlama().toByteArray();
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 2);
    assertThat(readBytes(bytes).version()).isEqualTo(2);
  }

  @Test
  void rejectsVersion1AndBigEndianAndUnknownVersions() throws Exception {
    byte[] bytes = tinyLlama().toByteArray();
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(4, 1);
    assertThatThrownBy(() -> readBytes(bytes)).hasMessageContaining("is GGUF version 1, which Airlock does not read");
    b.putInt(4, Integer.reverseBytes(3));
    assertThatThrownBy(() -> readBytes(bytes)).hasMessageContaining("is a big-endian GGUF file");
    b.putInt(4, 9);
    assertThatThrownBy(() -> readBytes(bytes)).hasMessage("model.gguf: has GGUF version 9; Airlock reads versions 2 and 3");
  }

  @Test
  void rejectsFilesWithoutTheMagic() {
    byte[] junk = "this is not a model at all, just text".getBytes();
    assertThatThrownBy(() -> readBytes(junk))
        .isInstanceOf(ModelFileException.class)
        .hasMessage("model.gguf: does not start with the GGUF magic 'GGUF' (found 0x73696874); it is not a GGUF file");
  }

  @Test
  void rejectsTruncatedHeaders() throws Exception {
    byte[] full = tinyLlama().toByteArray();
    assertThatThrownBy(() -> readBytes(Arrays.copyOf(full, 10)))
        .hasMessage("model.gguf: is 10 bytes, shorter than a GGUF header (24 bytes); the file is truncated");
    assertThatThrownBy(() -> readBytes(Arrays.copyOf(full, 200)))
        .isInstanceOf(ModelFileException.class)
        .hasMessageContaining("the file is truncated");
  }

  @Test
  void rejectsTruncatedTensorData() throws Exception {
    byte[] full = tinyLlama().toByteArray();
    GgufFile g = readBytes(full);
    byte[] cut = Arrays.copyOf(full, (int) g.dataOffset() + 100);
    assertThatThrownBy(() -> readBytes(cut))
        .hasMessage("model.gguf: tensor 'token_embd.weight' needs bytes 0..128 of the tensor data,"
            + " but the file holds only 100; the file is truncated or its header lies");
  }

  @Test
  void rejectsAbsurdTensorCountWithoutAllocating() throws Exception {
    byte[] bytes = tinyLlama().toByteArray();
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(8, Long.MAX_VALUE);
    assertThatThrownBy(() -> readBytes(bytes))
        .hasMessage("model.gguf: claims 9223372036854775807 tensors, more than the 1048576 Airlock accepts; the header is corrupt");
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 1_000_000);
    assertThatThrownBy(() -> readBytes(bytes))
        .hasMessageStartingWith("model.gguf: claims 1000000 tensors, which cannot fit in the ");
  }

  @Test
  void rejectsAbsurdMetadataCount() throws Exception {
    byte[] bytes = tinyLlama().toByteArray();
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(16, -1L);
    assertThatThrownBy(() -> readBytes(bytes))
        .hasMessage("model.gguf: claims 18446744073709551615 metadata key/values, more than the 1048576 Airlock accepts; the header is corrupt");
  }

  @Test
  void rejectsAbsurdStringLength() throws Exception {
    byte[] bytes = tinyLlama().toByteArray();
    // The first key's length prefix sits right after the 24-byte fixed header.
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 1L << 40);
    assertThatThrownBy(() -> readBytes(bytes))
        .hasMessage("model.gguf: key of metadata entry 0 claims a length of 1099511627776 bytes,"
            + " more than the 8388608 Airlock accepts; the header is corrupt");
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 1L << 20);
    assertThatThrownBy(() -> readBytes(bytes))
        .hasMessageStartingWith("model.gguf: key of metadata entry 0 needs 1048576 bytes at offset 32 but only");
  }

  @Test
  void rejectsAbsurdArrayLength() throws Exception {
    GgufWriter w = new GgufWriter().put("tokenizer.ggml.tokens", GgufValue.strings(List.of("a", "b")));
    byte[] bytes = w.toByteArray();
    // header 24 + key (8 + 21) + value type 4 + element type 4 = 61: the array length
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(61, 1L << 50);
    assertThatThrownBy(() -> readBytes(bytes))
        .hasMessage("model.gguf: metadata 'tokenizer.ggml.tokens' claims an array of 1125899906842624 elements,"
            + " more than the 16777216 Airlock accepts; the header is corrupt");
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(61, 1L << 20);
    assertThatThrownBy(() -> readBytes(bytes))
        .hasMessageStartingWith("model.gguf: metadata 'tokenizer.ggml.tokens' claims 1048576 STRING elements, which cannot fit");
  }

  @Test
  void rejectsUnknownValueTypeAndBadBool() throws Exception {
    byte[] bytes = new GgufWriter().put("x", GgufValue.bool(true)).toByteArray();
    // header 24 + key (8 + 1) = 33: the value type; 37: the value
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).put(37, (byte) 7);
    assertThatThrownBy(() -> readBytes(bytes)).hasMessage("model.gguf: metadata 'x' is a BOOL holding 7; only 0 and 1 are valid");
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(33, 99);
    assertThatThrownBy(() -> readBytes(bytes))
        .hasMessage("model.gguf: metadata 'x' has unknown GGUF value type id 99 (known: 0 to 12); the header is corrupt");
  }

  @Test
  void rejectsTensorWithTooManyDimensionsOrMisalignedOffset() throws Exception {
    GgufWriter w = new GgufWriter();
    w.addTensor("t", GgmlType.F32, new long[] {2}, new float[] {1, 2});
    byte[] bytes = w.toByteArray();
    // header 24 + name (8 + 1) = 33: dimension count; 37: dim 0; 45: type; 49: offset
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(49, 3);
    assertThatThrownBy(() -> readBytes(bytes))
        .hasMessage("model.gguf: tensor 't' starts at offset 3, which is not a multiple of the alignment 32");
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(33, 7);
    assertThatThrownBy(() -> readBytes(bytes))
        .hasMessage("model.gguf: tensor 't' claims 7 dimensions; ggml tensors have 1 to 4");
  }

  @Test
  void rejectsElementCountsThatOverflowInTotal() throws Exception {
    // Two tensors of a type Airlock does not know (so their bytes cannot be checked), 2^62 elements each.
    GgufWriter w = new GgufWriter();
    w.addTensor("a", GgmlType.F32, new long[] {1}, new float[1]);
    w.addTensor("b", GgmlType.F32, new long[] {1}, new float[1]);
    byte[] bytes = w.toByteArray();
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    // tensor a: name at 24 (8 + 1), dims count 33, dim 37, type 45, offset 49; tensor b starts at 57
    b.putLong(37, 1L << 62).putInt(45, 200);
    b.putLong(57 + 13, 1L << 62).putInt(57 + 21, 200);
    assertThatThrownBy(() -> readBytes(bytes))
        .hasMessage("model.gguf: claims more tensor elements in total than fit in 63 bits; the header is corrupt");
  }

  @Test
  void readsNumericArraysOfEveryWidth() throws Exception {
    GgufWriter w = new GgufWriter()
        .put("u8", GgufValue.array(GgufValueType.UINT8, List.of(0, 255)))
        .put("i16", GgufValue.array(GgufValueType.INT16, List.of(-32768, 32767)))
        .put("u32", GgufValue.array(GgufValueType.UINT32, List.of(4_294_967_295L)))
        .put("u64", GgufValue.array(GgufValueType.UINT64, List.of(-1L)))
        .put("f64", GgufValue.array(GgufValueType.FLOAT64, List.of(0.5, -2.25)))
        .put("flags", GgufValue.array(GgufValueType.BOOL, List.of(true, false)));
    GgufFile g = readBytes(w.toByteArray());
    assertThat(elements(g, "u8")).containsExactly(0L, 255L);
    assertThat(elements(g, "i16")).containsExactly(-32768L, 32767L);
    assertThat(elements(g, "u32")).containsExactly(4_294_967_295L);
    assertThat(elements(g, "u64")).containsExactly(-1L);
    assertThat(elements(g, "f64")).containsExactly(0.5, -2.25);
    assertThat(elements(g, "flags")).containsExactly(true, false);
    assertThat(g.value("u8")).contains(GgufValue.array(GgufValueType.UINT8, List.of(0, 255)));
  }

  @Test
  void rejectsBoolArraysHoldingOtherBytes() throws Exception {
    byte[] bytes = new GgufWriter().put("f", GgufValue.array(GgufValueType.BOOL, List.of(true))).toByteArray();
    // header 24 + key (8 + 1) + type 4 + element type 4 + length 8 = 49: the element
    bytes[49] = 2;
    assertThatThrownBy(() -> readBytes(bytes))
        .hasMessage("model.gguf: metadata 'f' is a BOOL array holding 2; only 0 and 1 are valid");
  }

  @Test
  void readsAVocabularyAsLargeAsTheLargestRealOnes() throws Exception {
    // Gemma 3 has 262,144 tokens; Llama 3 has about 280,000 merges.
    List<String> tokens = new java.util.ArrayList<>();
    for (int i = 0; i < 262_144; i++) tokens.add("▁token" + i);
    List<String> merges = new java.util.ArrayList<>();
    for (int i = 0; i < 280_000; i++) merges.add("Ġt oken" + i);
    float[] scores = new float[tokens.size()];
    int[] types = new int[tokens.size()];
    Arrays.fill(types, 1);
    GgufWriter w = new GgufWriter()
        .putString("general.architecture", "llama")
        .put("tokenizer.ggml.tokens", GgufValue.strings(tokens))
        .put("tokenizer.ggml.merges", GgufValue.strings(merges))
        .put("tokenizer.ggml.scores", GgufValue.float32s(scores))
        .put("tokenizer.ggml.token_type", GgufValue.int32s(types));
    GgufFile g = readBytes(w.toByteArray());
    assertThat(g.value("tokenizer.ggml.tokens").flatMap(GgufValue::asArray).orElseThrow().size()).isEqualTo(262_144);
    assertThat(g.value("tokenizer.ggml.merges").flatMap(GgufValue::asArray).orElseThrow().elements().get(279_999))
        .isEqualTo("Ġt oken279999");
  }

  @Test
  void refusesMetadataThatWouldExhaustTheHeap() throws Exception {
    // 2.5 million empty strings: 20 MB on disk, but ~160 MB of String objects once read.
    int count = 2_500_000;
    ByteBuffer b = ByteBuffer.allocate(24 + 8 + 4 + 4 + 4 + 8 + count * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(GgufReader.MAGIC).putInt(3).putLong(0).putLong(1);
    b.putLong(4).put("toks".getBytes()).putInt(GgufValueType.ARRAY.id()).putInt(GgufValueType.STRING.id()).putLong(count);
    assertThatThrownBy(() -> readBytes(b.array()))
        .isInstanceOf(ModelFileException.class)
        .hasMessage("model.gguf: metadata would take more than 128 MiB of memory (reached at 'toks');"
            + " real models need far less, so the header is refused as corrupt or hostile");
  }

  @Test
  void writerRefusesDataThatDoesNotMatchTheShape() {
    GgufWriter w = new GgufWriter();
    assertThatThrownBy(() -> w.addTensor("t", GgmlType.F32, new long[] {2, 2}, new float[3]))
        .hasMessage("tensor 't' has 4 elements by its dimensions but 3 values were given");
    assertThatThrownBy(() -> w.addTensor("q", GgmlType.Q8_0, new long[] {32}, new byte[10]))
        .hasMessage("tensor 'q' of type Q8_0 and dimensions [32] takes 34 bytes, but 10 were given");
    assertThatThrownBy(() -> w.put("general.alignment", GgufValue.uint32(48)))
        .hasMessageStartingWith("general.alignment must be a UINT32 power of two");
  }

  @Test
  void quantizedTensorsGivenAsRawBytesAreSizedByTheirBlocks() throws Exception {
    GgufWriter w = new GgufWriter().putUint32("general.file_type", 15);
    w.addTensor("q", GgmlType.Q4_K, new long[] {256, 2}, new byte[2 * 144]);
    GgufFile g = readBytes(w.toByteArray());
    assertThat(g.tensors().get(0).type()).contains(GgmlType.Q4_K);
    assertThat(g.parameterCount()).isEqualTo(512);
    assertThat(g.fileTypeName()).contains("Q4_K_M");
  }

  private static List<Object> elements(GgufFile g, String key) {
    return g.value(key).flatMap(GgufValue::asArray).orElseThrow().elements();
  }

  private GgufFile readBytes(byte[] bytes) throws Exception {
    Path f = dir.resolve("model.gguf");
    Files.write(f, bytes);
    return GgufReader.read(f);
  }
}
