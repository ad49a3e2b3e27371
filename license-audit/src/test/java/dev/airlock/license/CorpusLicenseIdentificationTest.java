package dev.airlock.license;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every license text of the shared corpus is identified, with evidence. */
class CorpusLicenseIdentificationTest {
  record Expected(String id, KnownLicense.Part part) {}

  /** What each corpus file is. A new file in the corpus without an entry here fails the test. */
  static final Map<String, Expected> EXPECTED = Map.ofEntries(
      Map.entry("Apache-2.0.LICENSE", new Expected("Apache-2.0", KnownLicense.Part.LICENSE)),
      Map.entry("bigscience-open-rail-m.LICENSE", new Expected("LicenseRef-scancode-bigscience-open-rail-m", KnownLicense.Part.LICENSE)),
      Map.entry("deepseek-la-1.0.LICENSE", new Expected("LicenseRef-scancode-deepseek-la-1.0", KnownLicense.Part.LICENSE)),
      Map.entry("gemma-tou-2024-04-01.LICENSE", new Expected("LicenseRef-scancode-gemma-tou-2024-04-01", KnownLicense.Part.LICENSE)),
      Map.entry("llama2.LICENSE", new Expected("LicenseRef-scancode-llama-2-license-2023", KnownLicense.Part.LICENSE)),
      Map.entry("llama2.USE_POLICY.md", new Expected("LicenseRef-scancode-llama-2-license-2023", KnownLicense.Part.ACCEPTABLE_USE_POLICY)),
      Map.entry("llama3.LICENSE", new Expected("LicenseRef-airlock-llama-3", KnownLicense.Part.LICENSE)),
      Map.entry("llama3.USE_POLICY.md", new Expected("LicenseRef-airlock-llama-3", KnownLicense.Part.ACCEPTABLE_USE_POLICY)),
      Map.entry("llama3_1.LICENSE", new Expected("LicenseRef-scancode-llama-3.1-license-2024", KnownLicense.Part.LICENSE)),
      Map.entry("llama3_1.USE_POLICY.md", new Expected("LicenseRef-scancode-llama-3.1-license-2024", KnownLicense.Part.ACCEPTABLE_USE_POLICY)),
      Map.entry("llama3_2.LICENSE", new Expected("LicenseRef-scancode-llama-3.2-license-2024", KnownLicense.Part.LICENSE)),
      Map.entry("llama3_2.USE_POLICY.md", new Expected("LicenseRef-scancode-llama-3.2-license-2024", KnownLicense.Part.ACCEPTABLE_USE_POLICY)),
      Map.entry("llama4.LICENSE", new Expected("LicenseRef-scancode-llama-4-cla-2025", KnownLicense.Part.LICENSE)),
      Map.entry("llama4.USE_POLICY.md", new Expected("LicenseRef-scancode-llama-4-cla-2025", KnownLicense.Part.ACCEPTABLE_USE_POLICY)),
      Map.entry("tongyi-qianwen-2023.LICENSE", new Expected("LicenseRef-scancode-tongyi-qianwen-2023", KnownLicense.Part.LICENSE)));

  static Stream<Path> corpusFiles() throws IOException {
    var dir = Corpus.shared("licenses");
    if (dir.isEmpty()) return Stream.empty();
    try (Stream<Path> s = Files.list(dir.get())) {
      return s.sorted().toList().stream();
    }
  }

  @Test
  void sharedCorpusIsPresentOrTheCorpusTestsSaySoAndSkip() throws IOException {
    assumeTrue(Corpus.shared("licenses").isPresent(), Corpus.NO_SHARED + ": corpus license identification skipped");
    assertThat(corpusFiles().map(p -> p.getFileName().toString()).toList())
        .as("every corpus text has an expected identification")
        .containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
  }

  // Without ../shared there is nothing to run; sharedCorpusIsPresentOrTheCorpusTestsSaySoAndSkip says so.
  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("corpusFiles")
  void everyCorpusLicenseTextIsIdentifiedWithEvidence(Path file, @TempDir Path model) throws IOException {
    String name = file.getFileName().toString();
    Expected expected = EXPECTED.get(name);
    assertThat(expected).as("expected identification of " + name).isNotNull();
    String fileName = expected.part() == KnownLicense.Part.LICENSE ? "LICENSE" : "USE_POLICY.md";
    Files.copy(file, model.resolve(fileName));

    LicenseReport report = LicenseAudit.scan(model);

    List<Finding> identified = report.findings(FindingCode.LICENSE_TEXT_IDENTIFIED);
    assertThat(identified).hasSize(1);
    Finding f = identified.get(0);
    assertThat(f.message()).contains(fileName + " is ").contains("(" + expected.id() + ")");
    if (expected.part() == KnownLicense.Part.ACCEPTABLE_USE_POLICY) assertThat(f.message()).contains("acceptable use policy");
    Evidence ev = f.evidence().get(0);
    assertThat(ev.file()).isEqualTo(fileName);
    assertThat(ev.position()).get().isInstanceOf(Position.LineColumn.class);
    assertThat(ev.excerpt()).isNotBlank();
    assertThat(report.findingsAtLeast(Severity.WARNING)).as("no warnings for a known text").isEmpty();
    assertThat(report.effectiveLicenses()).extracting(EffectiveLicense::id).containsExactly(expected.id());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shippedTexts")
  void everyShippedCatalogTextIsIdentifiedAsItsOwnLicense(KnownLicense.KnownText text) {
    var id = LicenseAudit.shared().identifier().identify(text.text());
    assertThat(id).isInstanceOf(TextIdentifier.Identification.Identified.class);
    var identified = (TextIdentifier.Identification.Identified) id;
    assertThat(identified.licenseId()).isEqualTo(text.licenseId());
    assertThat(identified.part()).isEqualTo(text.part());
  }

  static Stream<KnownLicense.KnownText> shippedTexts() {
    return LicenseAudit.shared().catalog().texts().stream();
  }
}
