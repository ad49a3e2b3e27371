package dev.airlock.license;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input is a finding with a clear message, never a crash. */
class BadInputTest {
  @TempDir Path dir;

  @Test
  void binaryJunkNamedLicenseIsReportedNotMatched() throws IOException {
    byte[] junk = new byte[4096];
    new Random(42).nextBytes(junk);
    junk[10] = 0;
    Files.write(dir.resolve("LICENSE"), junk);

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_FILE_NOT_TEXT)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.message()).startsWith("LICENSE is named like a license file but holds binary data")
          .contains("4096 bytes").endsWith("Expected license text; replace it with the model's license text.");
      assertThat(f.evidence().get(0).position()).get().isEqualTo(new Position.ByteOffset(0));
    });
    assertThat(r.effectiveLicenses()).singleElement().satisfies(e -> {
      assertThat(e.id()).isEqualTo(LicenseAudit.UNIDENTIFIED);
      assertThat(e.category()).isEqualTo(LicenseCategory.UNKNOWN);
    });
  }

  @Test
  void latin1BytesNamedLicenseAreNotText() throws IOException {
    Files.write(dir.resolve("COPYING"), "Licence accord\u00e9e \u00e0 tous".getBytes(StandardCharsets.ISO_8859_1));

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_FILE_NOT_TEXT)).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("bytes that are not UTF-8 text"));
  }

  @Test
  void hugeLicenseFileIsReadOnlyUpToTheLimit() throws IOException {
    String apache = Corpus.shippedText("Apache-2.0.LICENSE");
    Path license = dir.resolve("LICENSE");
    try (OutputStream out = Files.newOutputStream(license)) {
      byte[] chunk = apache.getBytes(StandardCharsets.UTF_8);
      // About 40 MiB: far beyond any license, and more than a test JVM would like to hold as text.
      for (long written = 0; written < 40L * 1024 * 1024; written += chunk.length) out.write(chunk);
    }

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_FILE_TRUNCATED)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.message()).contains("only its first " + LicenseAudit.MAX_LICENSE_BYTES + " bytes were examined");
    });
    // Many copies of Apache-2.0 are not Apache-2.0: never taken as the permissive license.
    assertThat(r.effectiveLicenses()).noneSatisfy(e -> assertThat(e.category()).isEqualTo(LicenseCategory.PERMISSIVE));
  }

  @Test
  void emptyLicenseFileIsSaid() throws IOException {
    Files.writeString(dir.resolve("LICENSE.md"), "\n\n");

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_TEXT_UNKNOWN)).singleElement()
        .satisfies(f -> assertThat(f.message()).isEqualTo("LICENSE.md is empty."));
  }

  @Test
  void licenseExpressionSyntaxErrorIsReportedWithItsPosition() throws IOException {
    Files.writeString(dir.resolve("README.md"), "---\nlicense: MIT AND (Apache-2.0\n---\n");

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_EXPRESSION_INVALID)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.message()).startsWith("the model card declares license 'MIT AND (Apache-2.0', which does not parse")
          .contains("Expected an SPDX license id or expression");
      assertThat(f.evidence()).singleElement().satisfies(e -> {
        assertThat(e.file()).isEqualTo("README.md");
        assertThat(e.position()).get().isEqualTo(new Position.Line(2));
      });
    });
    assertThat(r.effectiveLicenses()).allSatisfy(e -> assertThat(e.category()).isEqualTo(LicenseCategory.UNKNOWN));
  }

  @Test
  void licenseIdNobodyKnowsIsReported() throws IOException {
    Files.writeString(dir.resolve("README.md"), "---\nlicense: LicenseRef-frobnicator-2\n---\n");

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_ID_UNKNOWN)).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("'LicenseRef-frobnicator-2', which is neither on the SPDX list nor in Airlock's catalog"));
  }

  @Test
  void brokenCardYamlIsReportedAndTheRestStillScanned() throws IOException {
    Files.writeString(dir.resolve("README.md"), "---\nlicense: [apache-2.0\nbase_model: x\n---\n");
    Files.copy(Corpus.class.getResourceAsStream("/dev/airlock/license/catalog/texts/llama3_2.LICENSE"), dir.resolve("LICENSE"));

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.METADATA_UNREADABLE)).singleElement()
        .satisfies(f -> assertThat(f.message()).startsWith("README.md: front matter is not valid YAML at line"));
    assertThat(r.effectiveLicenses()).extracting(EffectiveLicense::id).containsExactly("LicenseRef-scancode-llama-3.2-license-2024");
  }

  @Test
  void truncatedSpdx23IsMalformedNotACrash() throws IOException {
    String sbom = Files.readString(Corpus.model("qwen3-apache").resolve("model.spdx.json"));
    Files.writeString(dir.resolve("model.spdx.json"), sbom.substring(0, sbom.length() / 2));

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.SBOM_MALFORMED)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.message()).startsWith("model.spdx.json (SPDX-2.3): not a readable SPDX 2.3 JSON document:")
          .endsWith("fix or regenerate the SBOM.");
    });
  }

  @Test
  void spdx3WithDuplicateElementIdsIsMalformed() throws IOException {
    String sbom = Files.readString(Corpus.model("llama31-finetune").resolve("model.spdx3.json"));
    // The base package's spdxId becomes the model's: two elements, one id.
    Files.writeString(dir.resolve("model.spdx3.json"),
        sbom.replace("\"spdxId\": \"https://airlock.example/spdx/llama31-legal/base\"", "\"spdxId\": \"https://airlock.example/spdx/llama31-legal/model\""));

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.SBOM_MALFORMED)).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("SPDX 3.0.1").contains("already exists"));
  }

  @Test
  void spdx3AiPackageLackingRequiredFieldsIsIncomplete() throws IOException {
    String sbom = Files.readString(Corpus.model("llama31-finetune").resolve("model.spdx3.json"));
    Files.writeString(dir.resolve("model.spdx3.json"), sbom
        .replace("\"suppliedBy\": \"https://airlock.example/spdx/agent/example-legal\",", "")
        .replace("\"software_packageVersion\": \"1.0\",", ""));

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.SBOM_INCOMPLETE)).extracting(Finding::message).containsExactlyInAnyOrder(
        "model.spdx3.json (SPDX-3.0.1): AIPackage https://airlock.example/spdx/llama31-legal/model lacks suppliedBy, which SPDX 3.0.1 requires (minCount 1)",
        "model.spdx3.json (SPDX-3.0.1): AIPackage https://airlock.example/spdx/llama31-legal/model lacks software_packageVersion, which SPDX 3.0.1 requires (minCount 1)");
    // Still read: the license it declares is a fact.
    assertThat(r.effectiveLicenses()).extracting(EffectiveLicense::id).contains("LicenseRef-scancode-llama-3.1-license-2024");
  }

  @Test
  void sharedCorpusAiSentimentBomIsReportedIncompleteNotACrash() throws IOException {
    var spdx = Corpus.shared("spdx");
    assumeTrue(spdx.isPresent(), Corpus.NO_SHARED + ": the ai-sentiment AI-BOM test is skipped");
    Files.copy(spdx.get().resolve("ai-sentiment.spdx3.json"), dir.resolve("ai-sentiment.spdx3.json"));

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.SBOM_MALFORMED)).isEmpty();
    assertThat(r.findings(FindingCode.SBOM_INCOMPLETE)).extracting(Finding::message)
        .anySatisfy(m -> assertThat(m).contains("AIPackage").contains("lacks suppliedBy"))
        .anySatisfy(m -> assertThat(m).contains("DatasetPackage").contains("lacks builtTime"));
    assertThat(r.effectiveLicenses()).extracting(EffectiveLicense::id).containsExactly("CC0-1.0");
  }

  @Test
  void sharedCorpusBomWithDuplicateIdsIsMalformedNotACrash() throws IOException {
    var spdx = Corpus.shared("spdx");
    assumeTrue(spdx.isPresent(), Corpus.NO_SHARED + ": the ai-simplehtr AI-BOM test is skipped");
    Files.copy(spdx.get().resolve("ai-simplehtr.spdx3.json"), dir.resolve("ai-simplehtr.spdx3.json"));

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.SBOM_MALFORMED)).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("SimpleHTR-depends-on already exists"));
  }

  @Test
  void sharedCorpusSpdx23DocumentsDeclareTheirLicenses() throws IOException {
    var spdx = Corpus.shared("spdx");
    assumeTrue(spdx.isPresent(), Corpus.NO_SHARED + ": the SPDX 2.3 corpus test is skipped");
    Files.copy(spdx.get().resolve("sbom-with-source-license.spdx.json"), dir.resolve("sbom-with-source-license.spdx.json"));

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findingsAtLeast(Severity.WARNING)).isEmpty();
    assertThat(r.effectiveLicenses()).extracting(EffectiveLicense::id).containsExactly("Apache-2.0");
  }

  @Test
  void aPathThatIsNotADirectoryIsAnErrorSayingWhatToGive() {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> LicenseAudit.scan(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(missing + " is not a directory: give the model directory to scan (the one holding its LICENSE and README.md)");
  }

  @Test
  void licenseExpressionSyntaxErrorInsideAnSbomIsReported() throws IOException {
    String sbom = Files.readString(Corpus.model("qwen3-apache").resolve("model.spdx.json"));
    Files.writeString(dir.resolve("model.spdx.json"), sbom.replaceFirst("\"licenseDeclared\": \"Apache-2.0\"", "\"licenseDeclared\": \"Apache-2.0 AND (MIT\""));

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_EXPRESSION_INVALID)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.message()).startsWith("the SBOM model.spdx.json declares license 'Apache-2.0 AND (MIT', which does not parse")
          .contains("Missing right parenthesis");
      assertThat(f.evidence().get(0).position()).get().isEqualTo(new Position.Path("SPDXRef-model#licenseDeclared"));
    });
    // SPDX Java Tools' own validation says it too.
    assertThat(r.findings(FindingCode.SBOM_INCOMPLETE)).extracting(Finding::message)
        .anySatisfy(m -> assertThat(m).contains("Invalid license expression 'Apache-2.0 AND (MIT'"));
  }

  @Test
  void sbomLargerThanTheLimitIsNotParsed() throws IOException {
    try (var f = new java.io.RandomAccessFile(dir.resolve("huge.spdx.json").toFile(), "rw")) {
      f.setLength(LicenseAudit.MAX_SBOM_BYTES + 1L);
    }

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.SBOM_MALFORMED)).singleElement().satisfies(f -> assertThat(f.message())
        .isEqualTo("huge.spdx.json is " + (LicenseAudit.MAX_SBOM_BYTES + 1L) + " bytes, more than the " + LicenseAudit.MAX_SBOM_BYTES
            + " Airlock reads for an SBOM; it was not parsed."));
  }
}
