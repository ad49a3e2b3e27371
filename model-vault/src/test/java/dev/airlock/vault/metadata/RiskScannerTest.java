package dev.airlock.vault.metadata;

import static dev.airlock.vault.metadata.Fixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RiskScannerTest {
  @TempDir Path dir;

  /** The first bytes of {@code pickle.dumps({}, protocol=4)}. */
  static final byte[] PICKLE_V4 = {(byte) 0x80, 4, (byte) 0x95, 4, 0, 0, 0, 0, 0, 0, 0, '}', (byte) 0x94, '.'};

  static byte[] torchZip() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("archive/data.pkl"));
      zip.write(PICKLE_V4);
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("archive/data/0"));
      zip.write(new byte[16]);
      zip.closeEntry();
    }
    return out.toByteArray();
  }

  @Test
  void flagsPickleWeightsByExtensionAndSaysWhy() throws Exception {
    Files.write(dir.resolve("pytorch_model.bin"), torchZip());
    Files.write(dir.resolve("optimizer.pt"), PICKLE_V4);

    assertThat(RiskScanner.scan(dir)).containsExactly(
        new RiskFinding(RiskKind.PICKLE_WEIGHTS, "optimizer.pt",
            ".pt is a Python pickle format (pickle protocol 4 header); loading it can run arbitrary code."
                + " Use the safetensors or GGUF weights instead"),
        new RiskFinding(RiskKind.PICKLE_WEIGHTS, "pytorch_model.bin",
            ".bin is a Python pickle format (a PyTorch zip archive holding archive/data.pkl); loading it can run"
                + " arbitrary code. Use the safetensors or GGUF weights instead"));
  }

  @Test
  void findsAPickleHiddenBehindAnotherName() throws Exception {
    Files.createDirectories(dir.resolve("extra"));
    Files.write(dir.resolve("extra/weights.dat"), PICKLE_V4);
    Files.write(dir.resolve("model.safetensors"), new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}'});

    assertThat(RiskScanner.scan(dir)).containsExactly(
        new RiskFinding(RiskKind.PICKLE_WEIGHTS, "extra/weights.dat",
            "is a Python pickle despite its name (pickle protocol 4 header); loading it can run arbitrary code"));
  }

  @Test
  void flagsPythonFilesAndAutoMapAsCustomCode() throws Exception {
    Files.copy(resource("configs/deepseek-v3-fp8-remote-code.json"), dir.resolve("config.json"));
    Files.writeString(dir.resolve("modeling_deepseek.py"), "import os\n");
    Files.writeString(dir.resolve("tokenizer_config.json"),
        "{\"auto_map\": {\"AutoTokenizer\": [\"tokenization_x.XTokenizer\", null]}}");

    assertThat(RiskScanner.scan(dir)).containsExactly(
        new RiskFinding(RiskKind.PYTHON_CODE, "modeling_deepseek.py",
            "is Python source shipped with the model; it runs if a loader imports it"),
        new RiskFinding(RiskKind.REMOTE_CODE, "config.json",
            "auto_map names custom code (AutoConfig -> \"configuration_deepseek.DeepseekV3Config\","
                + " AutoModel -> \"modeling_deepseek.DeepseekV3Model\","
                + " AutoModelForCausalLM -> \"modeling_deepseek.DeepseekV3ForCausalLM\");"
                + " loading it needs trust_remote_code, which Airlock never enables"),
        new RiskFinding(RiskKind.REMOTE_CODE, "tokenizer_config.json",
            "auto_map names custom code (AutoTokenizer -> [\"tokenization_x.XTokenizer\",null]);"
                + " loading it needs trust_remote_code, which Airlock never enables"));
  }

  @Test
  void aCleanModelHasNoFindings() throws Exception {
    Files.copy(resource("configs/llama-3.1-8b.json"), dir.resolve("config.json"));
    Files.writeString(dir.resolve("README.md"), "---\nlicense: mit\n---\n");
    Files.write(dir.resolve("model.gguf"), new GgufWriter().putString("general.architecture", "llama").toByteArray());
    assertThat(RiskScanner.scan(dir)).isEmpty();
  }

  @Test
  void junkInAConfigIsAnErrorNotASilentPass() throws Exception {
    Files.write(dir.resolve("config.json"), new byte[] {0, 1, 2, (byte) 0xff});
    assertThatThrownBy(() -> RiskScanner.scan(dir))
        .isInstanceOf(ModelFileException.class)
        .hasMessage("config.json: contains a NUL byte at offset 0: it is binary, not JSON text; expected a JSON config");
  }
}
