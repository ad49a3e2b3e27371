package dev.airlock.license;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.vault.metadata.GgufValue;
import dev.airlock.vault.metadata.GgufWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The license facts of the fixture models in src/test/resources/fixtures/models/. */
class FixtureModelsTest {
  private static final String LLAMA_31 = "LicenseRef-scancode-llama-3.1-license-2024";
  private static final String GEMMA = "LicenseRef-scancode-gemma-tou-2024-04-01";

  @Test
  void apacheQwen3FineTuneIsPermissiveWithQwen3LineageAndNoWarnings() {
    LicenseReport r = LicenseAudit.scan(Corpus.model("qwen3-apache"));

    assertThat(r.effectiveLicenses()).allSatisfy(e -> {
      assertThat(e.id()).isEqualTo("Apache-2.0");
      assertThat(e.category()).isEqualTo(LicenseCategory.PERMISSIVE);
    });
    assertThat(r.lineage()).singleElement().satisfies(l -> {
      assertThat(l.model()).isEqualTo("Qwen/Qwen3-8B");
      assertThat(l.relation()).isEqualTo(BaseModelRelation.FINETUNE);
      assertThat(l.family()).get().extracting(ModelFamily::publisher, ModelFamily::originCountry)
          .containsExactly("Alibaba Cloud", "CN");
      // Named by the card and by the SPDX 2.3 SBOM's DESCENDANT_OF: one ancestor, two pieces of evidence.
      assertThat(l.evidence()).extracting(Evidence::file).containsExactly("README.md", "model.spdx.json");
    });
    assertThat(r.findingsAtLeast(Severity.WARNING)).isEmpty();
    assertThat(r.findings(FindingCode.LICENSE_TEXT_IDENTIFIED)).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("LICENSE is Apache License 2.0 (Apache-2.0), matched against the SPDX License List"));
    assertThat(r.obligations()).extracting(Obligation::kind)
        .contains(Obligation.Kind.LICENSE_COPY, Obligation.Kind.ATTRIBUTION);
    assertThat(r.thresholds()).isEmpty();
  }

  @Test
  void llama31FineTuneCarriesTheLlamaTermsWithCitations() {
    LicenseReport r = LicenseAudit.scan(Corpus.model("llama31-finetune"));

    assertThat(r.effectiveLicenses()).extracting(EffectiveLicense::id).containsOnly(LLAMA_31);
    assertThat(r.effectiveLicenses()).extracting(EffectiveLicense::category).containsOnly(LicenseCategory.OPEN_WEIGHTS_RESTRICTED);
    assertThat(r.thresholds()).singleElement().satisfies(t -> {
      assertThat(t.metric()).isEqualTo(Threshold.Metric.MONTHLY_ACTIVE_USERS);
      assertThat(t.limit()).isEqualTo(700_000_000L);
      assertThat(t.citation().clause()).isEqualTo("Section 2");
      assertThat(t.citation().quote()).contains("greater than 700 million monthly active users");
    });
    assertThat(r.obligations()).anySatisfy(o -> {
      assertThat(o.kind()).isEqualTo(Obligation.Kind.ATTRIBUTION);
      assertThat(o.citation().quote()).contains("Built with Llama");
    });
    assertThat(r.obligations()).anySatisfy(o -> {
      assertThat(o.kind()).isEqualTo(Obligation.Kind.NAME_PREFIX);
      assertThat(o.citation().quote()).contains("include “Llama” at the beginning of any such AI model name");
    });
    assertThat(r.obligations()).extracting(Obligation::kind).contains(Obligation.Kind.ACCEPTABLE_USE_POLICY);
    assertThat(r.fieldOfUseRestrictions()).extracting(FieldOfUseRestriction::field).containsExactly("military");
    assertThat(r.governingLaw()).singleElement().extracting(GoverningLaw::jurisdiction).isEqualTo("State of California, USA");
    // The SPDX 3.0.1 AI-BOM is complete and agrees with the card.
    assertThat(r.findings(FindingCode.SBOM_INCOMPLETE)).isEmpty();
    assertThat(r.findings(FindingCode.SBOM_MALFORMED)).isEmpty();
    assertThat(r.findings(FindingCode.LICENSE_CONFLICT)).isEmpty();
    assertThat(r.findings(FindingCode.LICENSE_DECLARED)).anySatisfy(f ->
        assertThat(f.evidence().get(0).position()).get().isEqualTo(new Position.Path("https://airlock.example/spdx/llama31-legal/model#hasDeclaredLicense")));
    assertThat(r.findings(FindingCode.LICENSE_TEXT_IDENTIFIED)).extracting(Finding::message)
        .anySatisfy(m -> assertThat(m).startsWith("USE_POLICY.md is the acceptable use policy of the Llama 3.1"));
    assertThat(r.lineage()).singleElement().satisfies(l -> assertThat(l.evidence()).extracting(Evidence::file)
        .containsExactly("README.md", "model.spdx3.json"));
  }

  @Test
  void mitDeclaredDistillationOfLlamaInheritsLlamaObligations() {
    LicenseReport r = LicenseAudit.scan(Corpus.model("mit-llama-distill"));

    assertThat(r.effectiveLicenses()).anySatisfy(e -> {
      assertThat(e.id()).isEqualTo("MIT");
      assertThat(e.basis()).isEqualTo(EffectiveLicense.Basis.DECLARED);
    });
    assertThat(r.effectiveLicenses()).anySatisfy(e -> {
      assertThat(e.id()).isEqualTo(LLAMA_31);
      assertThat(e.basis()).isEqualTo(EffectiveLicense.Basis.INHERITED);
      assertThat(e.boundThrough()).isEqualTo("meta-llama/Llama-3.1-8B");
      assertThat(e.category()).isEqualTo(LicenseCategory.OPEN_WEIGHTS_RESTRICTED);
    });
    assertThat(r.lineage()).singleElement().extracting(LineageEntry::relation).isEqualTo(BaseModelRelation.DISTILLATION);
    assertThat(r.obligations()).filteredOn(o -> o.licenseId().equals(LLAMA_31)).extracting(Obligation::kind)
        .contains(Obligation.Kind.ATTRIBUTION, Obligation.Kind.NAME_PREFIX, Obligation.Kind.ACCEPTABLE_USE_POLICY);
    assertThat(r.thresholds()).extracting(Threshold::limit).containsExactly(700_000_000L);
    assertThat(r.findings(FindingCode.LICENSE_INHERITED)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.message()).isEqualTo("as a distillation of meta-llama/Llama-3.1-8B, this model is bound by Llama 3.1 Community License Agreement ("
          + LLAMA_31 + "), whatever it declares itself (MIT).");
      assertThat(f.evidence()).singleElement().satisfies(e -> {
        assertThat(e.file()).isEqualTo("README.md");
        assertThat(e.position()).get().isEqualTo(new Position.Line(3));
        assertThat(e.excerpt()).isEqualTo("base_model: meta-llama/Llama-3.1-8B");
      });
    });
  }

  @Test
  void gemmaQuantizationListsTheFlowDownObligations() {
    LicenseReport r = LicenseAudit.scan(Corpus.model("gemma"));

    assertThat(r.effectiveLicenses()).extracting(EffectiveLicense::id).containsOnly(GEMMA);
    assertThat(r.lineage()).singleElement().satisfies(l -> {
      assertThat(l.relation()).isEqualTo(BaseModelRelation.QUANTIZED);
      assertThat(l.family()).get().extracting(ModelFamily::id).isEqualTo("gemma-2");
    });
    assertThat(r.obligations()).anySatisfy(o -> {
      assertThat(o.kind()).isEqualTo(Obligation.Kind.USE_RESTRICTION_FLOW_DOWN);
      assertThat(o.citation().clause()).isEqualTo("Section 3.1");
      assertThat(o.citation().quote()).contains("You must include the use restrictions referenced in Section 3.2 as an enforceable provision");
    });
    assertThat(r.obligations()).anySatisfy(o -> assertThat(o.citation().quote())
        .contains("Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms"));
    assertThat(r.obligations()).extracting(Obligation::kind).contains(Obligation.Kind.ACCEPTABLE_USE_POLICY);
    assertThat(r.findingsAtLeast(Severity.WARNING)).isEmpty();
    assertThat(r.findings(FindingCode.LICENSE_TEXT_IDENTIFIED)).extracting(Finding::message)
        .contains("NOTICE carries the attribution notice that Gemma Terms of Use (2024-04-01) requires (Section 3.1).");
  }

  @Test
  void ccByNcModelIsNonCommercial() {
    LicenseReport r = LicenseAudit.scan(Corpus.model("cc-by-nc"));

    assertThat(r.effectiveLicenses()).singleElement().satisfies(e -> {
      assertThat(e.id()).isEqualTo("CC-BY-NC-4.0");
      assertThat(e.category()).isEqualTo(LicenseCategory.NON_COMMERCIAL);
    });
    assertThat(r.obligations()).anySatisfy(o -> {
      assertThat(o.kind()).isEqualTo(Obligation.Kind.NON_COMMERCIAL_USE);
      assertThat(o.citation().quote()).contains("NonCommercial means not primarily intended for or directed towards commercial advantage");
    });
    assertThat(r.findings(FindingCode.LICENSE_TEXT_IDENTIFIED)).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("(CC-BY-NC-4.0)"));
  }

  @Test
  void unknownLicenseIsUnknownNeverPermissive() {
    LicenseReport r = LicenseAudit.scan(Corpus.model("unknown-license"));

    assertThat(r.effectiveLicenses()).isNotEmpty().allSatisfy(e -> {
      assertThat(e.id()).isEqualTo(LicenseAudit.UNIDENTIFIED);
      assertThat(e.category()).isEqualTo(LicenseCategory.UNKNOWN);
    });
    assertThat(r.effectiveLicenses()).extracting(EffectiveLicense::basis)
        .containsExactly(EffectiveLicense.Basis.DECLARED, EffectiveLicense.Basis.DETECTED);
    assertThat(r.findings(FindingCode.LICENSE_ID_UNKNOWN)).singleElement().satisfies(f -> {
      assertThat(f.message()).contains("'acme-model-license-1.0'").contains("neither on the SPDX list nor in Airlock's catalog");
      assertThat(f.evidence()).extracting(Evidence::excerpt).contains("license_name: acme-model-license-1.0");
    });
    assertThat(r.findings(FindingCode.LICENSE_TEXT_UNKNOWN)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.evidence().get(0).excerpt()).isEqualTo("ACME MODEL LICENSE 1.0");
    });
    assertThat(r.obligations()).isEmpty();
  }

  @Test
  void cardDeclaringApacheWhileShippingLlamaIsAConflict() {
    LicenseReport r = LicenseAudit.scan(Corpus.model("declared-apache-ships-llama"));

    assertThat(r.findings(FindingCode.LICENSE_CONFLICT)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.message()).isEqualTo("the model declares Apache-2.0 but its license file is " + LLAMA_31
          + ". The license text shipped with the weights binds: both are listed as effective until the declaration is corrected.");
      assertThat(f.evidence()).extracting(Evidence::file).containsExactly("README.md", "LICENSE");
      assertThat(f.evidence()).extracting(Evidence::excerpt).containsExactly("license: apache-2.0", "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT");
    });
    assertThat(r.effectiveLicenses()).extracting(EffectiveLicense::id).containsExactlyInAnyOrder("Apache-2.0", LLAMA_31);
    // The Llama terms apply although the card says Apache-2.0.
    assertThat(r.thresholds()).extracting(Threshold::licenseId).containsExactly(LLAMA_31);
  }

  @Test
  void modelWithNoLicenseAtAllIsReported() {
    LicenseReport r = LicenseAudit.scan(Corpus.model("no-license"));

    assertThat(r.findings(FindingCode.NO_LICENSE)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.message()).startsWith("no license found: no license in the model card or SBOM, and no LICENSE, COPYING or NOTICE file.");
    });
    assertThat(r.effectiveLicenses()).singleElement().satisfies(e -> {
      assertThat(e.id()).isEqualTo(EffectiveLicense.NOASSERTION);
      assertThat(e.category()).isEqualTo(LicenseCategory.UNKNOWN);
    });
  }

  @Test
  void mergeCarriesEveryParentsLicense(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("README.md"), """
        ---
        license: apache-2.0
        base_model:
          - Qwen/Qwen2.5-7B-Instruct
          - meta-llama/Llama-3.1-8B-Instruct
        base_model_relation: merge
        ---
        # A merge
        """);
    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.lineage()).extracting(LineageEntry::relation).containsOnly(BaseModelRelation.MERGE);
    assertThat(r.effectiveLicenses()).filteredOn(e -> e.basis() == EffectiveLicense.Basis.INHERITED)
        .extracting(EffectiveLicense::id, EffectiveLicense::boundThrough)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("LicenseRef-scancode-qwen-2024", "Qwen/Qwen2.5-7B-Instruct"),
            org.assertj.core.groups.Tuple.tuple(LLAMA_31, "meta-llama/Llama-3.1-8B-Instruct"));
    // Qwen's text is shipped (ScanCode's copy) but its terms are not recorded yet: said so, not guessed.
    assertThat(r.findings(FindingCode.LICENSE_TERMS_NOT_REVIEWED)).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("Qwen License Agreement (LicenseRef-scancode-qwen-2024) is identified, but Airlock has not recorded its terms yet"));
  }

  @Test
  void ggufLicenseAndBaseModelKeysAreFactsWithTheirKeysAsEvidence(@TempDir Path dir) throws IOException {
    new GgufWriter()
        .putString("general.architecture", "llama")
        .putString("general.name", "Vision Helper 11B")
        .putString("general.license", "llama3.2")
        .put("general.base_model.count", GgufValue.uint32(1))
        .putString("general.base_model.0.name", "Llama 3.2 11B Vision Instruct")
        .putString("general.base_model.0.organization", "Meta Llama")
        .putString("general.base_model.0.repo_url", "https://huggingface.co/meta-llama/Llama-3.2-11B-Vision-Instruct")
        .writeTo(dir.resolve("vision-helper.Q4_K_M.gguf"));

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_DECLARED)).singleElement().satisfies(f -> {
      assertThat(f.message()).isEqualTo("the GGUF header of vision-helper.Q4_K_M.gguf declares Llama 3.2 Community License Agreement (LicenseRef-scancode-llama-3.2-license-2024).");
      assertThat(f.evidence().get(0).position()).get().isEqualTo(new Position.Path("GGUF key general.license"));
    });
    assertThat(r.lineage()).singleElement().satisfies(l -> {
      assertThat(l.model()).isEqualTo("meta-llama/Llama-3.2-11B-Vision-Instruct");
      assertThat(l.family()).get().extracting(ModelFamily::id).isEqualTo("llama-3.2");
    });
    assertThat(r.territorialRestrictions()).singleElement().satisfies(t -> {
      assertThat(t.territory()).isEqualTo("EU");
      assertThat(t.scope()).isEqualTo("multimodal-models");
      assertThat(t.citation().quote()).contains("are not being granted to you if you are an individual domiciled in, or a company with a principal place of business in, the European Union");
    });
  }

  @Test
  void deepSeekLicenseForbidsMilitaryUse(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("README.md"), "---\nlicense: other\nlicense_name: deepseek\n---\n");
    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.fieldOfUseRestrictions()).singleElement().satisfies(f -> {
      assertThat(f.licenseId()).isEqualTo("LicenseRef-scancode-deepseek-la-1.0");
      assertThat(f.field()).isEqualTo("military");
      assertThat(f.citation().quote()).contains("For military use in any way");
    });
    assertThat(r.governingLaw()).extracting(GoverningLaw::jurisdiction).singleElement().asString().startsWith("People's Republic of China");
  }

  @Test
  void tongyiQianwenThresholdIsOneHundredMillion(@TempDir Path dir) throws IOException {
    Files.copy(Corpus.class.getResourceAsStream("/dev/airlock/license/catalog/texts/tongyi-qianwen-2023.LICENSE"), dir.resolve("LICENSE"));
    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.thresholds()).singleElement().satisfies(t -> {
      assertThat(t.limit()).isEqualTo(100_000_000L);
      assertThat(t.citation().clause()).isEqualTo("Section 4");
    });
  }

  @Test
  void llama33IsKnownButItsTermsAreNotRecordedYet(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("README.md"), "---\nlicense: llama3.3\n---\n");
    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.effectiveLicenses()).singleElement().extracting(EffectiveLicense::id).isEqualTo("LicenseRef-scancode-llama-3.3-license-2024");
    assertThat(r.findings(FindingCode.LICENSE_TEXT_NOT_SHIPPED)).isEmpty();
    assertThat(r.findings(FindingCode.LICENSE_TERMS_NOT_REVIEWED)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.message()).contains("Llama 3.3 Community License Agreement (LicenseRef-scancode-llama-3.3-license-2024) is identified, but Airlock has not recorded its terms yet");
    });
    assertThat(r.obligations()).isEmpty();
  }

  @Test
  void unknownBaseModelIsSaidAndItsLicenseIsUnknown(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("README.md"), "---\nlicense: apache-2.0\nbase_model: someone/Obscure-Model-3B\nbase_model_relation: finetune\n---\n");
    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.BASE_MODEL_UNKNOWN)).singleElement()
        .satisfies(f -> assertThat(f.message()).startsWith("base model someone/Obscure-Model-3B (fine-tune) is not in Airlock's catalog of model families"));
    assertThat(r.effectiveLicenses()).anySatisfy(e -> {
      assertThat(e.category()).isEqualTo(LicenseCategory.UNKNOWN);
      assertThat(e.basis()).isEqualTo(EffectiveLicense.Basis.INHERITED);
      assertThat(e.boundThrough()).isEqualTo("someone/Obscure-Model-3B");
    });
  }

  @Test
  void spdx23LicenseRefIsIdentifiedFromTheTextTheSbomCarries(@TempDir Path dir) throws IOException {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    var sbom = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(Corpus.model("qwen3-apache").resolve("model.spdx.json").toFile());
    var model = (com.fasterxml.jackson.databind.node.ObjectNode) sbom.get("packages").get(0);
    model.put("licenseDeclared", "LicenseRef-vendor-model-license");
    model.put("licenseConcluded", "NOASSERTION");
    var info = sbom.putArray("hasExtractedLicensingInfos").addObject();
    info.put("licenseId", "LicenseRef-vendor-model-license");
    info.put("extractedText", Corpus.shippedText("llama3_1.LICENSE"));
    Files.writeString(dir.resolve("model.spdx.json"), mapper.writeValueAsString(sbom));

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_TEXT_IDENTIFIED)).singleElement().satisfies(f -> {
      assertThat(f.message()).isEqualTo("the SBOM model.spdx.json names LicenseRef-vendor-model-license and carries its text, which is "
          + "Llama 3.1 Community License Agreement (" + LLAMA_31 + "), matched against the Airlock license catalog.");
      assertThat(f.evidence()).extracting(e -> e.position().orElseThrow()).containsExactly(
          new Position.Path("SPDXRef-model#licenseDeclared"), new Position.Path("LicenseRef-vendor-model-license#extractedText"));
    });
    assertThat(r.effectiveLicenses()).filteredOn(e -> e.basis() == EffectiveLicense.Basis.DECLARED)
        .extracting(EffectiveLicense::id).containsExactly(LLAMA_31);
  }

  @Test
  void deepSeekV3FineTuneComesFromChinaAndForbidsMilitaryUse() {
    LicenseReport r = LicenseAudit.scan(Corpus.model("deepseek-v3-finetune"));

    assertThat(r.lineage()).singleElement().satisfies(l -> {
      assertThat(l.family()).get().extracting(ModelFamily::publisher, ModelFamily::originCountry).containsExactly("DeepSeek", "CN");
      assertThat(l.relation()).isEqualTo(BaseModelRelation.FINETUNE);
    });
    assertThat(r.effectiveLicenses()).extracting(EffectiveLicense::id).containsOnly("LicenseRef-scancode-deepseek-la-1.0");
    assertThat(r.findings(FindingCode.LICENSE_TEXT_IDENTIFIED)).singleElement()
        .satisfies(f -> assertThat(f.message()).startsWith("LICENSE-MODEL is DeepSeek License Agreement 1.0"));
    assertThat(r.fieldOfUseRestrictions()).extracting(FieldOfUseRestriction::field).containsExactly("military");
    assertThat(r.findingsAtLeast(Severity.WARNING)).isEmpty();
  }

  @Test
  void pickleWeightsFixtureHasCleanLicenseFacts() {
    // The pickle is model-vault's concern (RiskScanner); the license facts of this fixture are plain.
    LicenseReport r = LicenseAudit.scan(Corpus.model("pickle-weights"));

    assertThat(r.effectiveLicenses()).extracting(EffectiveLicense::category).containsOnly(LicenseCategory.PERMISSIVE);
    assertThat(r.lineage()).singleElement().satisfies(l ->
        assertThat(l.family()).get().extracting(ModelFamily::id, ModelFamily::originCountry).containsExactly("mistral", "FR"));
    assertThat(r.findingsAtLeast(Severity.WARNING)).isEmpty();
  }
}
