package dev.airlock.license;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** ScanCode LicenseDB's AI-model licenses are identified exactly, whatever the copy's formatting. */
class ScanCodeCatalogTest {
  static Stream<KnownLicense.KnownText> scancodeTexts() {
    return LicenseAudit.shared().catalog().texts().stream().filter(t -> t.text().startsWith("---\nkey: "));
  }

  @Test
  void theCatalogShipsTheAiModelLicensesOfScanCodeLicenseDb() {
    assertThat(scancodeTexts().map(t -> t.file().replace(".LICENSE", "")).toList()).contains(
        "llama-license-2023", "llama-2-license-2023", "llama-3.1-license-2024", "llama-3.2-license-2024",
        "llama-3.3-license-2024", "llama-4-cla-2025", "llama-4-license-2025", "gemma-tou-2024-04-01",
        "gemma-tou-2025-03-24", "deepseek-la-1.0", "tongyi-qianwen-2023", "qwen-2024", "nvidia-open-model-2025-04-28",
        "falcon-2-11b-1.0", "stability-ai-community-2024", "stability-ai-nc-2023-12-06", "moonshot-ai-modified-mit-2025",
        "exaone-ai-model-1.1-nc", "stable-diffusion-2022-08-22", "bigcode-open-rail-m-v1", "bigscience-open-rail-m",
        "bigscience-open-rail-m2", "bigscience-rail-1.0", "fair-ai-public-1.0", "responsible-ai-source-1.0");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scancodeTexts")
  void everyScanCodeTextIsIdentifiedExactly(KnownLicense.KnownText text) {
    assertIdentifiedAs(LicenseText.stripScanCodeHeader(text.text()), text);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scancodeTexts")
  void theSameTextWithMarkdownLinksRewrappedAndBulletedIsStillExact(KnownLicense.KnownText text) {
    String body = LicenseText.stripScanCodeHeader(text.text());
    String reformatted = body
        // Plain URLs become links; one already inside a markdown link stays as it is (links do not nest).
        .replaceAll("(?<![\\[(])(https?://[^\\s)\\]>\"]+)", "[$1]($1)")
        .replaceAll("(?<!\n)\n(?!\n)", " ")
        .replaceAll("\n\n+", "\n\n- ")
        .replace("’", "'").replace("“", "\"").replace("”", "\"");
    assertIdentifiedAs(reformatted, text);
  }

  @Test
  void llama33IsNamedAsLlama33NotAnOlderVersion() {
    var id = LicenseAudit.shared().identifier().identify(Corpus.shippedText("llama-3.3-license-2024.LICENSE"));
    assertThat(id).isInstanceOfSatisfying(TextIdentifier.Identification.Identified.class,
        i -> assertThat(i.licenseId()).isEqualTo("LicenseRef-scancode-llama-3.3-license-2024"));
  }

  @Test
  void llama4LicenseAndPolicyAreExactInMetasAndScanCodesCopies() {
    for (String file : new String[] {"llama4.LICENSE", "llama-4-cla-2025.LICENSE"}) {
      assertThat(LicenseAudit.shared().identifier().identify(Corpus.shippedText(file)))
          .isInstanceOfSatisfying(TextIdentifier.Identification.Identified.class, i -> {
            assertThat(i.licenseId()).isEqualTo("LicenseRef-scancode-llama-4-cla-2025");
            assertThat(i.part()).isEqualTo(KnownLicense.Part.LICENSE);
          });
    }
    for (String file : new String[] {"llama4.USE_POLICY.md", "llama-4-license-2025.LICENSE"}) {
      assertThat(LicenseAudit.shared().identifier().identify(Corpus.shippedText(file)))
          .isInstanceOfSatisfying(TextIdentifier.Identification.Identified.class, i -> {
            assertThat(i.licenseId()).isEqualTo("LicenseRef-scancode-llama-4-cla-2025");
            assertThat(i.part()).isEqualTo(KnownLicense.Part.ACCEPTABLE_USE_POLICY);
          });
    }
  }

  @Test
  void aCopyWithOneClauseChangedIsSimilarWithThatClauseInTheDiffAndNeverTheLicense(@TempDir Path dir) throws IOException {
    String llama33 = LicenseText.stripScanCodeHeader(Corpus.shippedText("llama-3.3-license-2024.LICENSE"));
    String edited = llama33.replace("under the laws of the State of California", "under the laws of the Republic of Ireland");
    assertThat(edited).isNotEqualTo(llama33);
    Files.writeString(dir.resolve("LICENSE"), edited);

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_TEXT_IDENTIFIED)).isEmpty();
    assertThat(r.findings(FindingCode.LICENSE_TEXT_SIMILAR)).singleElement().satisfies(f -> assertThat(f.message())
        .startsWith("LICENSE is similar to Llama 3.3 Community License Agreement (LicenseRef-scancode-llama-3.3-license-2024, 0.99")
        .contains("changed: \"…construed under the laws of the state of california…\" to \"…construed under the laws of the republic of ireland…\""));
    assertThat(r.effectiveLicenses()).singleElement().extracting(EffectiveLicense::id).isEqualTo(LicenseAudit.UNIDENTIFIED);
  }

  @Test
  void aLicenseWithoutRecordedTermsIsNamedExactlyAndItsCategoryStaysUnknown(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("LICENSE"), LicenseText.stripScanCodeHeader(Corpus.shippedText("nvidia-open-model-2025-04-28.LICENSE")));

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_TEXT_IDENTIFIED)).singleElement().satisfies(f -> assertThat(f.message())
        .contains("(LicenseRef-scancode-nvidia-open-model-2025-04-28)")
        .contains("ScanCode LicenseDB nvidia-open-model-2025-04-28 text"));
    assertThat(r.findings(FindingCode.LICENSE_TERMS_NOT_REVIEWED)).singleElement().satisfies(f -> assertThat(f.message())
        .contains("has not recorded its terms yet (ScanCode LicenseDB key nvidia-open-model-2025-04-28, category 'Proprietary Free')"));
    assertThat(r.effectiveLicenses()).singleElement().satisfies(e -> {
      assertThat(e.id()).isEqualTo("LicenseRef-scancode-nvidia-open-model-2025-04-28");
      assertThat(e.category()).isEqualTo(LicenseCategory.UNKNOWN);
    });
  }

  private static void assertIdentifiedAs(String text, KnownLicense.KnownText expected) {
    assertThat(LicenseAudit.shared().identifier().identify(text))
        .isInstanceOfSatisfying(TextIdentifier.Identification.Identified.class, i -> {
          assertThat(i.licenseId()).isEqualTo(expected.licenseId());
          assertThat(i.part()).isEqualTo(expected.part());
        });
  }
}
