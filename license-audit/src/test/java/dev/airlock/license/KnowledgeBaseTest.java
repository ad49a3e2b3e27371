package dev.airlock.license;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.spdx.library.ListedLicenses;

/** The knowledge base cites only what the license texts say, and the family catalog resolves. */
class KnowledgeBaseTest {
  static Stream<KnownLicense> licenses() {
    return LicenseAudit.shared().catalog().licenses().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("licenses")
  void everyQuotedClauseIsWordForWordInTheLicenseText(KnownLicense license) throws Exception {
    if (!license.textShipped() || !license.termsReviewed()) {
      assertThat(license.obligations()).as("no terms for a license whose terms nobody recorded from its text").isEmpty();
      assertThat(license.thresholds()).isEmpty();
      assertThat(license.fieldOfUse()).isEmpty();
      assertThat(license.territorial()).isEmpty();
      assertThat(license.governingLaw()).isEmpty();
      assertThat(license.categoryReason().clause()).isEqualTo("not reviewed");
      return;
    }
    StringBuilder text = new StringBuilder();
    license.texts().forEach(t -> text.append(t.text()).append('\n'));
    if (license.spdxListed()) {
      SpdxTools.start();
      text.append(ListedLicenses.getListedLicenses().getListedLicenseById(license.id()).getLicenseText());
    }
    String words = " " + String.join(" ", LicenseText.words(text.toString())) + " ";
    List<Citation> citations = new ArrayList<>();
    citations.add(license.categoryReason());
    license.obligations().forEach(o -> citations.add(o.citation()));
    license.thresholds().forEach(t -> citations.add(t.citation()));
    license.fieldOfUse().forEach(f -> citations.add(f.citation()));
    license.territorial().forEach(t -> citations.add(t.citation()));
    license.governingLaw().ifPresent(g -> citations.add(g.citation()));
    assertThat(citations).isNotEmpty();
    for (Citation c : citations) {
      assertThat(c.licenseId()).isEqualTo(license.id());
      for (String part : c.quote().split("\\.\\.\\.")) {
        String quoted = String.join(" ", LicenseText.words(part));
        if (quoted.isEmpty()) continue;
        assertThat(words).as("%s, %s quotes words the text does not have", license.id(), c.clause()).contains(" " + quoted + " ");
      }
    }
  }

  @Test
  void thresholdsAreTheOnesTheTextsState() {
    var catalog = LicenseAudit.shared().catalog();
    for (String llama : List.of("LicenseRef-scancode-llama-2-license-2023", "LicenseRef-airlock-llama-3", "LicenseRef-scancode-llama-3.1-license-2024",
        "LicenseRef-scancode-llama-3.2-license-2024", "LicenseRef-scancode-llama-4-cla-2025")) {
      assertThat(catalog.byId(llama).orElseThrow().thresholds()).extracting(Threshold::limit).containsExactly(700_000_000L);
    }
    assertThat(catalog.byId("LicenseRef-scancode-tongyi-qianwen-2023").orElseThrow().thresholds())
        .extracting(Threshold::limit).containsExactly(100_000_000L);
    // Only the Llama 3.2 and 4 acceptable use policies withhold multimodal rights in the EU.
    assertThat(catalog.licenses()).filteredOn(l -> !l.territorial().isEmpty()).extracting(KnownLicense::id)
        .containsExactlyInAnyOrder("LicenseRef-scancode-llama-3.2-license-2024", "LicenseRef-scancode-llama-4-cla-2025");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "meta-llama/Llama-2-7b-hf, llama-2",
    "meta-llama/Meta-Llama-3-8B-Instruct, llama-3",
    "meta-llama/Llama-3.1-8B, llama-3.1",
    "meta-llama/Meta-Llama-3.1-70B-Instruct, llama-3.1",
    "meta-llama/Llama-3.2-11B-Vision-Instruct, llama-3.2",
    "meta-llama/Llama-3.3-70B-Instruct, llama-3.3",
    "meta-llama/Llama-4-Scout-17B-16E-Instruct, llama-4",
    "Llama 3.1 8B Instruct, llama-3.1",
    "Qwen/Qwen2-7B-Instruct, qwen-2",
    "Qwen/Qwen2.5-72B-Instruct, qwen-2.5",
    "Qwen/Qwen3-8B, qwen-3",
    "deepseek-ai/DeepSeek-V3, deepseek-v3",
    "deepseek-ai/DeepSeek-R1, deepseek-r1",
    "mistralai/Mistral-7B-Instruct-v0.3, mistral",
    "mistralai/Mixtral-8x7B-Instruct-v0.1, mixtral",
    "google/gemma-2-9b-it, gemma-2",
    "google/gemma-3-27b-it, gemma-3",
    "microsoft/Phi-3-mini-4k-instruct, phi",
    "microsoft/phi-4, phi",
  })
  void wellKnownBaseModelsResolveToTheirFamily(String model, String family) {
    assertThat(LicenseAudit.shared().families().resolve(model)).get().extracting(ModelFamily::id).isEqualTo(family);
  }

  @Test
  void unrelatedNamesResolveToNoFamily() {
    var families = LicenseAudit.shared().families();
    assertThat(families.resolve("someone/Obscure-Model-3B")).isEmpty();
    assertThat(families.resolve("bert-base-uncased")).isEmpty();
  }

  @Test
  void everyFamilyNamesALicenseWithACategory() {
    var audit = LicenseAudit.shared();
    var resolver = new LicenseResolver(audit.catalog());
    for (ModelFamily f : audit.families().families()) {
      assertThat(resolver.single(f.licenseId())).as(f.id()).isPresent();
      assertThat(f.originCountry()).matches("[A-Z]{2}");
    }
  }
}
