package dev.airlock.vault.metadata;

import static dev.airlock.vault.metadata.Fixtures.resource;
import static dev.airlock.vault.metadata.HardwareProfile.GIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelInspectorTest {
  @TempDir Path dir;

  /**
   * A Llama-3.1-8B-shaped model: the real config, a card, and 4 safetensors shards whose headers
   * list the real tensor names and shapes (the 16 GB of weights are sparse holes).
   */
  private void llama31_8b(Path modelDir) throws Exception {
    Files.copy(resource("configs/llama-3.1-8b.json"), modelDir.resolve("config.json"));
    Files.copy(resource("cards/llama-finetune.md"), modelDir.resolve("README.md"));
    List<SafetensorsFixture> shards = List.of(
        new SafetensorsFixture(), new SafetensorsFixture(), new SafetensorsFixture(), new SafetensorsFixture());
    List<String[]> index = new ArrayList<>();
    shards.get(0).tensor("model.embed_tokens.weight", "BF16", 2, 128_256, 4096);
    index.add(new String[] {"model.embed_tokens.weight", shardName(0)});
    for (int i = 0; i < 32; i++) {
      SafetensorsFixture s = shards.get(i / 11);
      String p = "model.layers." + i + ".";
      s.tensor(p + "input_layernorm.weight", "BF16", 2, 4096)
          .tensor(p + "self_attn.q_proj.weight", "BF16", 2, 4096, 4096)
          .tensor(p + "self_attn.k_proj.weight", "BF16", 2, 1024, 4096)
          .tensor(p + "self_attn.v_proj.weight", "BF16", 2, 1024, 4096)
          .tensor(p + "self_attn.o_proj.weight", "BF16", 2, 4096, 4096)
          .tensor(p + "post_attention_layernorm.weight", "BF16", 2, 4096)
          .tensor(p + "mlp.gate_proj.weight", "BF16", 2, 14_336, 4096)
          .tensor(p + "mlp.up_proj.weight", "BF16", 2, 14_336, 4096)
          .tensor(p + "mlp.down_proj.weight", "BF16", 2, 4096, 14_336);
      s.header().fieldNames().forEachRemaining(n -> {
        if (n.startsWith(p)) index.add(new String[] {n, shardName(shards.indexOf(s))});
      });
    }
    shards.get(3).tensor("model.norm.weight", "BF16", 2, 4096).tensor("lm_head.weight", "BF16", 2, 128_256, 4096);
    index.add(new String[] {"model.norm.weight", shardName(3)});
    index.add(new String[] {"lm_head.weight", shardName(3)});
    for (int i = 0; i < 4; i++) shards.get(i).writeTo(modelDir.resolve(shardName(i)));
    Files.writeString(modelDir.resolve("model.safetensors.index.json"), SafetensorsFixture.indexJson(index, 16_060_522_496L));
  }

  private static String shardName(int i) {
    return "model-0000" + (i + 1) + "-of-00004.safetensors";
  }

  @Test
  void describesALlama31_8bFineTuneAndItsFitAt8kContext() throws Exception {
    llama31_8b(dir);

    ModelMetadata m = ModelInspector.inspect(dir, HardwareProfile.gpus(1, 24 * GIB).withContextLength(8192));

    assertThat(m.format()).isEqualTo(ModelFormat.SAFETENSORS);
    assertThat(m.architecture()).contains("LlamaForCausalLM");
    assertThat(m.modelType()).contains("llama");
    assertThat(m.declaredDtype()).contains("bfloat16");
    assertThat(m.parameterCount()).hasValue(8_030_261_248L);
    assertThat(m.parametersByDtype()).containsOnlyKeys("BF16");
    assertThat(m.quantization()).isEmpty();
    assertThat(m.contextLength()).hasValue(131_072);
    assertThat(m.weightFiles()).hasSize(4);
    assertThat(m.risks()).isEmpty();

    assertThat(m.licenseFields()).extracting(LicenseField::key, LicenseField::value).containsExactly(
        org.assertj.core.groups.Tuple.tuple("license", "other"),
        org.assertj.core.groups.Tuple.tuple("license_name", "llama3.1"),
        org.assertj.core.groups.Tuple.tuple("license_link", "https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/LICENSE"));
    assertThat(m.licenseFields().get(1).evidence().toString()).isEqualTo("README.md:3: license_name: llama3.1");
    assertThat(m.baseModels()).singleElement().satisfies(b -> {
      assertThat(b.name()).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
      assertThat(b.relation()).contains("finetune");
      assertThat(b.evidence().line()).hasValue(5);
    });

    // weights 16,060,522,496 (from the headers) + KV 1,073,741,824 = 17,134,264,320 bytes
    MemoryEstimate e = m.memory().orElseThrow();
    assertThat(e.weightBytes()).isEqualTo(16_060_522_496L);
    assertThat(e.weightBasis()).isEqualTo("tensor byte ranges in 4 safetensors header(s)");
    assertThat(e.kvCacheBytes()).isEqualTo(1_073_741_824L);
    assertThat(e.kvCacheBasis()).isEqualTo("2 x 32 layers x 8 KV heads x 128 head dim x 8192 tokens x 1 sequences x 2 bytes");
    assertThat(e.totalBytes()).isEqualTo(17_134_264_320L);
    assertThat(m.fit().verdict()).isEqualTo(HardwareFit.Verdict.FITS);
  }

  @Test
  void sizesTheKvCacheForTheModelsFullContextWhenNoneIsConfigured() throws Exception {
    llama31_8b(dir);
    ModelMetadata m = ModelInspector.inspect(dir, HardwareProfile.gpus(1, 24 * GIB));
    // 131,072 tokens: 16 GiB of KV cache on top of 14.96 GiB of weights
    assertThat(m.memory().orElseThrow().kvCacheBytes()).isEqualTo(16 * GIB);
    assertThat(m.fit().verdict()).isEqualTo(HardwareFit.Verdict.DOES_NOT_FIT);
    assertThat(m.fit().reason()).isEqualTo("14.96 GiB weights + 16.00 GiB KV cache (131072 tokens x 1) = 30.96 GiB"
        + " does not fit in 1 x 24.00 GiB at 90% = 21.60 GiB; use more or larger GPUs, a shorter context, or a quantized variant");
  }

  @Test
  void aContextLongerThanTheModelsMaximumDoesNotFit() throws Exception {
    GgufReaderTest.tinyLlama().writeTo(dir.resolve("tiny.gguf"));
    ModelMetadata m = ModelInspector.inspect(dir, HardwareProfile.gpus(8, 80 * GIB).withContextLength(4096));
    assertThat(m.fit().verdict()).isEqualTo(HardwareFit.Verdict.DOES_NOT_FIT);
    assertThat(m.fit().reason()).isEqualTo("the configured context of 4096 tokens exceeds the model's maximum of 2048; configure at most 2048");
  }

  @Test
  void describesAGgufModelFromItsHeaderAlone() throws Exception {
    GgufReaderTest.tinyLlama()
        .putString("general.license.link", "https://www.apache.org/licenses/LICENSE-2.0")
        .writeTo(dir.resolve("tiny-f16.gguf"));

    ModelMetadata m = ModelInspector.inspect(dir, HardwareProfile.gpus(1, GIB).withContextLength(1024).withBatchSize(2));

    assertThat(m.format()).isEqualTo(ModelFormat.GGUF);
    assertThat(m.architecture()).contains("llama");
    assertThat(m.name()).contains("Tiny Llama");
    assertThat(m.parameterCount()).hasValue(336);
    assertThat(m.parametersByDtype()).containsEntry("F16", 320L).containsEntry("F32", 16L);
    assertThat(m.quantization().orElseThrow().method()).isEqualTo("F16");
    assertThat(m.contextLength()).hasValue(2048);
    assertThat(m.licenseFields()).extracting(LicenseField::key, LicenseField::value).containsExactly(
        org.assertj.core.groups.Tuple.tuple("general.license", "apache-2.0"),
        org.assertj.core.groups.Tuple.tuple("general.license.link", "https://www.apache.org/licenses/LICENSE-2.0"));
    assertThat(m.licenseFields().get(0).evidence().toString())
        .isEqualTo("tiny-f16.gguf (GGUF key general.license): general.license = \"apache-2.0\"");
    assertThat(m.baseModels()).extracting(BaseModel::name).containsExactly("Llama 3.1 8B", "Qwen2.5 7B");
    assertThat(m.baseModels().get(0).organization()).contains("Meta Llama");
    // KV: 2 x 2 layers x 2 KV heads x 4 head dim x 1024 tokens x 2 sequences x 2 bytes = 131,072
    assertThat(m.memory().orElseThrow().kvCacheBytes()).isEqualTo(131_072);
    assertThat(m.memory().orElseThrow().weightBasis()).isEqualTo("tensor data of tiny-f16.gguf");
    assertThat(m.fit().verdict()).isEqualTo(HardwareFit.Verdict.FITS);
  }

  @Test
  void reportsPickleWeightsAndCustomCode() throws Exception {
    Files.copy(resource("configs/deepseek-v3-fp8-remote-code.json"), dir.resolve("config.json"));
    Files.write(dir.resolve("pytorch_model.bin"), RiskScannerTest.torchZip());
    Files.writeString(dir.resolve("modeling_deepseek.py"), "import os\n");

    ModelMetadata m = ModelInspector.inspect(dir, HardwareProfile.none());

    assertThat(m.format()).isEqualTo(ModelFormat.PYTORCH_PICKLE);
    assertThat(m.hasPickleWeights()).isTrue();
    assertThat(m.needsRemoteCode()).isTrue();
    assertThat(m.risks()).extracting(RiskFinding::kind, RiskFinding::file).containsExactly(
        org.assertj.core.groups.Tuple.tuple(RiskKind.PYTHON_CODE, "modeling_deepseek.py"),
        org.assertj.core.groups.Tuple.tuple(RiskKind.PICKLE_WEIGHTS, "pytorch_model.bin"),
        org.assertj.core.groups.Tuple.tuple(RiskKind.REMOTE_CODE, "config.json"));
    assertThat(m.quantization().orElseThrow().method()).isEqualTo("fp8");
    assertThat(m.weightFiles()).containsExactly("pytorch_model.bin");
    assertThat(m.fit().verdict()).isEqualTo(HardwareFit.Verdict.UNKNOWN);
    assertThat(m.fit().reason()).startsWith("no GPUs are configured; the model needs ");
  }

  @Test
  void countsAwqPackedWeightsAsTheParametersTheyHold() throws Exception {
    Files.copy(resource("configs/qwen2.5-7b-awq.json"), dir.resolve("config.json"));
    // One 4-bit AWQ linear layer 3584 -> 512 with group size 128, and an unquantized norm:
    // qweight I32 [3584, 64] holds 8 weights per element = 3584 x 512 = 1,835,008 parameters;
    // qzeros I32 [28, 64] and scales F16 [28, 512] are bookkeeping.
    new SafetensorsFixture()
        .tensor("model.layers.0.self_attn.k_proj.qweight", "I32", 4, 3584, 64)
        .tensor("model.layers.0.self_attn.k_proj.qzeros", "I32", 4, 28, 64)
        .tensor("model.layers.0.self_attn.k_proj.scales", "F16", 2, 28, 512)
        .tensor("model.layers.0.input_layernorm.weight", "F16", 2, 3584)
        .writeTo(dir.resolve("model.safetensors"));

    ModelMetadata m = ModelInspector.inspect(dir, HardwareProfile.none());

    assertThat(m.parameterCount()).hasValue(3584L * 512 + 3584);
    assertThat(m.quantization().orElseThrow().method()).isEqualTo("awq");
    // the stored elements per dtype stay as written
    assertThat(m.parametersByDtype()).containsEntry("I32", 3584L * 64 + 28 * 64);
  }

  @Test
  void withoutAConfigTheKvCacheOfSafetensorsCannotBeSized() throws Exception {
    new SafetensorsFixture().tensor("w", "F16", 2, 64, 64).writeTo(dir.resolve("model.safetensors"));
    ModelMetadata m = ModelInspector.inspect(dir, HardwareProfile.gpus(1, 24 * GIB));
    assertThat(m.parameterCount()).hasValue(4096);
    assertThat(m.memory()).isEmpty();
    assertThat(m.fit().verdict()).isEqualTo(HardwareFit.Verdict.UNKNOWN);
    assertThat(m.fit().reason()).isEqualTo("the model's layer and attention-head counts are unknown"
        + " (no config.json or GGUF keys), so its KV cache cannot be sized");
  }

  @Test
  void anEmptyDirectoryHasNoWeights() throws Exception {
    ModelMetadata m = ModelInspector.inspect(dir, HardwareProfile.gpus(1, 24 * GIB));
    assertThat(m.format()).isEqualTo(ModelFormat.NONE);
    assertThat(m.parameterCount()).isEmpty();
    assertThat(m.card()).isEmpty();
    assertThat(m.config()).isEmpty();
    assertThat(m.fit()).isEqualTo(HardwareFit.unknown("no weights were found to size"));
  }

  @Test
  void aMissingDirectoryIsAClearError() {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> ModelInspector.inspect(missing, HardwareProfile.none()))
        .isInstanceOf(ModelFileException.class)
        .hasMessage(missing + ": is not a directory; give the directory that holds the model's files");
  }

  @Test
  void junkInAnyMetadataFileStopsTheInspectionNamingTheFile() throws Exception {
    Files.write(dir.resolve("README.md"), new byte[] {'-', '-', '-', '\n', 0, 0, 0});
    assertThatThrownBy(() -> ModelInspector.inspect(dir, HardwareProfile.none()))
        .hasMessage("README.md: contains a NUL byte at offset 4: it is binary, not a Markdown model card;"
            + " replace it with the card's text");
    Files.delete(dir.resolve("README.md"));
    byte[] gguf = GgufReaderTest.tinyLlama().toByteArray();
    Files.write(dir.resolve("model.gguf"), java.util.Arrays.copyOf(gguf, 40));
    assertThatThrownBy(() -> ModelInspector.inspect(dir, HardwareProfile.none()))
        .isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith("model.gguf: ");
  }

  @Test
  void splitGgufFilesAreSummedWhileVariantsAreSizedByTheLargest() throws Exception {
    GgufWriter a = GgufReaderTest.tinyLlama();
    GgufWriter small = new GgufWriter().putString("general.architecture", "llama");
    small.addTensor("x", GgmlType.F32, new long[] {4}, new float[4]);
    GgufFile big = GgufReader.read(writeTo(a, "big.gguf"));
    GgufFile little = GgufReader.read(writeTo(small, "small.gguf"));
    assertThat(ModelInspector.sizedGgufFiles(List.of(big, little))).containsExactly(big);

    GgufWriter s1 = new GgufWriter().put("split.count", GgufValue.uint16(2));
    s1.addTensor("x", GgmlType.F32, new long[] {4}, new float[4]);
    GgufWriter s2 = new GgufWriter().put("split.count", GgufValue.uint16(2));
    s2.addTensor("y", GgmlType.F32, new long[] {8}, new float[8]);
    GgufFile p1 = GgufReader.read(writeTo(s1, "m-00001-of-00002.gguf"));
    GgufFile p2 = GgufReader.read(writeTo(s2, "m-00002-of-00002.gguf"));
    assertThat(ModelInspector.sizedGgufFiles(List.of(p1, p2))).containsExactly(p1, p2);
    assertThat(Optional.of(p1.parameterCount() + p2.parameterCount())).contains(12L);
  }

  private Path writeTo(GgufWriter w, String name) throws Exception {
    Path sub = Files.createDirectories(dir.resolve("variants"));
    Path f = sub.resolve(name);
    w.writeTo(f);
    return f;
  }
}
