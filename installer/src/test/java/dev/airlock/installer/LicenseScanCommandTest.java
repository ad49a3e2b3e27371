package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LicenseScanCommandTest {
  @TempDir Path dir;

  private Path llamaDistillation() throws IOException {
    Files.writeString(dir.resolve("README.md"), """
        ---
        license: mit
        base_model: meta-llama/Llama-3.1-8B
        tags: [distillation]
        ---
        # Distilled
        """);
    return dir;
  }

  @Test
  void scanPrintsTheReportForAPerson() throws IOException {
    AirlockCliTest.Run r = AirlockCliTest.run("license", "scan", llamaDistillation().toString());

    assertThat(r.exit()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .startsWith("License scan of " + dir.getFileName() + "\n")
        .contains("  MIT  MIT License  [permissive]  declared\n")
        .contains("  LicenseRef-scancode-llama-3.1-license-2024  Llama 3.1 Community License Agreement  [open-weights-restricted]  inherited through meta-llama/Llama-3.1-8B\n")
        .contains("  distillation of meta-llama/Llama-3.1-8B: Llama 3.1 by Meta (US), LicenseRef-scancode-llama-3.1-license-2024\n")
        .contains("[LicenseRef-scancode-llama-3.1-license-2024] monthly_active_users > 700,000,000")
        .contains("  WARNING license-inherited: as a distillation of meta-llama/Llama-3.1-8B")
        .contains("          evidence: README.md (line 3): \"base_model: meta-llama/Llama-3.1-8B\"");
  }

  @Test
  void scanJsonHasTheDocumentedFields() throws IOException {
    AirlockCliTest.Run r = AirlockCliTest.run("license", "scan", llamaDistillation().toString(), "--json");

    assertThat(r.exit()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("effective_licenses").get(0).get("id").asText()).isEqualTo("MIT");
    assertThat(json.get("effective_licenses").get(0).get("name").asText()).isEqualTo("MIT License");
    assertThat(json.get("effective_licenses").get(0).get("category").asText()).isEqualTo("permissive");
    assertThat(json.get("lineage").get(0).get("model").asText()).isEqualTo("meta-llama/Llama-3.1-8B");
    assertThat(json.get("obligations").size()).isGreaterThan(0);
    assertThat(json.get("findings")).allSatisfy(f -> assertThat(f.fieldNames()).toIterable()
        .containsExactly("severity", "code", "message", "evidence"));
  }

  @Test
  void missingPathIsAnErrorSayingWhatToGive() {
    AirlockCliTest.Run r = AirlockCliTest.run("license", "scan", dir.resolve("absent").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("airlock license scan: " + dir.resolve("absent")
        + " does not exist. Give a model directory (the one holding its README.md and LICENSE) or a bundle file.\n");
  }

  @Test
  void bundleFileIsNotScannableYetAndSaysSo() throws IOException {
    Path bundle = Files.writeString(dir.resolve("model.airlock"), "not yet");
    AirlockCliTest.Run r = AirlockCliTest.run("license", "scan", bundle.toString());

    assertThat(r.exit()).isEqualTo(AirlockCli.EXIT_NOT_AVAILABLE);
    assertThat(r.err()).contains("scanning a bundle is not available yet in this build of Airlock. Scan the model directory instead.");
  }

  @Test
  void licenseWithoutACommandIsAUsageError() {
    AirlockCliTest.Run r = AirlockCliTest.run("license");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("give a command, e.g. 'airlock license scan DIR'").contains("scan");
  }

  @Test
  void scanWithoutAPathIsAUsageError() {
    AirlockCliTest.Run r = AirlockCliTest.run("license", "scan");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: 'DIR|BUNDLE'");
  }
}
