package dev.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.license.BaseModelRelation;
import dev.airlock.license.Citation;
import dev.airlock.license.EffectiveLicense;
import dev.airlock.license.Evidence;
import dev.airlock.license.LicenseCategory;
import dev.airlock.license.LicenseReport;
import dev.airlock.license.LineageEntry;
import dev.airlock.license.ModelFamily;
import dev.airlock.license.Obligation;
import dev.airlock.license.TerritorialRestriction;
import dev.airlock.license.Threshold;
import dev.airlock.vault.metadata.HardwareFit;
import dev.airlock.vault.metadata.ModelFormat;
import dev.airlock.vault.metadata.ModelMetadata;
import dev.airlock.vault.metadata.Quantization;
import dev.airlock.vault.metadata.RiskFinding;
import dev.airlock.vault.metadata.RiskKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** How the license report and the model metadata become the facts rules read. */
class ModelFactsTest {
  static final String LLAMA_32 = "LicenseRef-scancode-llama-3.2-license-2024";
  static final Citation CITE = new Citation(LLAMA_32, "Section 2", "greater than 700 million");

  static LicenseReport report() {
    return new LicenseReport("vision-ft",
        List.of(
            new EffectiveLicense("MIT", "MIT License", LicenseCategory.PERMISSIVE,
                EffectiveLicense.Basis.DECLARED, EffectiveLicense.THIS_MODEL,
                List.of(Evidence.of("README.md", "license: mit"))),
            new EffectiveLicense(LLAMA_32, "Llama 3.2 Community License", LicenseCategory.OPEN_WEIGHTS_RESTRICTED,
                EffectiveLicense.Basis.INHERITED, "meta-llama/Llama-3.2-11B-Vision",
                List.of(Evidence.of("README.md", "base_model: meta-llama/Llama-3.2-11B-Vision")))),
        List.of(new LineageEntry("meta-llama/Llama-3.2-11B-Vision", BaseModelRelation.FINETUNE,
            Optional.of(new ModelFamily("llama-3.2", "Llama 3.2", "Meta", "US", LLAMA_32)),
            List.of(Evidence.of("README.md", "base_model: meta-llama/Llama-3.2-11B-Vision")))),
        List.of(new Obligation(LLAMA_32, Obligation.Kind.ATTRIBUTION, "Display \"Built with Llama\".", CITE),
            new Obligation("LicenseRef-x", Obligation.Kind.NON_COMMERCIAL_USE, "Research use only.",
                new Citation("LicenseRef-x", "Section 1", "non-commercial purposes only"))),
        List.of(new Threshold(LLAMA_32, Threshold.Metric.MONTHLY_ACTIVE_USERS, 700_000_000L,
            "a separate license from Meta is needed", CITE)),
        List.of(),
        List.of(new TerritorialRestriction(LLAMA_32, "EU", "multimodal-models",
            "No rights to multimodal models for EU-domiciled entities.",
            new Citation(LLAMA_32, "Acceptable Use Policy", "with respect to any multimodal models"))),
        List.of(),
        List.of());
  }

  static ModelMetadata metadata(HardwareFit fit) {
    return new ModelMetadata(ModelFormat.PYTORCH_PICKLE, Optional.of("MllamaForConditionalGeneration"),
        Optional.empty(), Optional.empty(), OptionalLong.empty(), Map.of(), Optional.empty(),
        Optional.of(new Quantization("AWQ", OptionalInt.of(4),
            dev.airlock.vault.metadata.Evidence.at("config.json", "quantization_config", "awq"))),
        OptionalInt.empty(), List.of(), List.of(),
        List.of(new RiskFinding(RiskKind.PICKLE_WEIGHTS, "pytorch_model.bin", "pickle"),
            new RiskFinding(RiskKind.REMOTE_CODE, "config.json", "auto_map names modeling_x.py"),
            new RiskFinding(RiskKind.PYTHON_CODE, "convert.py", "Python source")),
        Optional.empty(), fit, Optional.empty(), Optional.empty(), List.of("pytorch_model.bin"));
  }

  static PolicyFacts facts(HardwareFit fit) {
    return ModelFacts.of(new PolicyFacts.Subject("vision-ft", PolicyFacts.SubjectKind.DIRECTORY),
        report(), Optional.of(metadata(fit)), PolicyFacts.Origin.unknown(),
        PolicyFacts.Provenance.bareDirectory(false));
  }

  @Test
  void licensesKeepWhichAncestorTheyComeFrom() {
    PolicyFacts f = facts(HardwareFit.unknown("no GPUs configured"));
    assertThat(f.licenses()).extracting(PolicyFacts.LicenseFact::describe)
        .containsExactly("MIT", LLAMA_32 + " (inherited from meta-llama/Llama-3.2-11B-Vision)");
    assertThat(f.lineage()).containsExactly(new PolicyFacts.Ancestor("meta-llama/Llama-3.2-11B-Vision",
        "finetune", true, Optional.of("Meta"), Optional.of("US"),
        "README.md: \"base_model: meta-llama/Llama-3.2-11B-Vision\""));
  }

  @Test
  void termsBecomeThresholdsRestrictionsAndObligationsWithTheirClauses() {
    PolicyFacts f = facts(HardwareFit.unknown("no GPUs configured"));
    assertThat(f.thresholds()).containsExactly(new PolicyFacts.Threshold(LLAMA_32, 700_000_000L,
        LLAMA_32 + ", Section 2: \"greater than 700 million\""));
    assertThat(f.restrictions()).extracting(PolicyFacts.Restriction::licenseId, PolicyFacts.Restriction::kind)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(LLAMA_32, PolicyFacts.RestrictionKind.EU_MULTIMODAL),
            org.assertj.core.groups.Tuple.tuple("LicenseRef-x", PolicyFacts.RestrictionKind.NON_COMMERCIAL));
    assertThat(f.obligations()).extracting(PolicyFacts.Obligation::text)
        .containsExactly("Display \"Built with Llama\".", "Research use only.");
  }

  @Test
  void safetyFactsComeFromTheInspectorsRisksAndQuantization() {
    PolicyFacts f = facts(new HardwareFit(HardwareFit.Verdict.DOES_NOT_FIT, 50L << 30, 21L << 30,
        "needs 50 GiB, 21.6 GiB usable on 1 GPU"));
    assertThat(f.safety().pickleFiles()).containsExactly("pytorch_model.bin");
    // Python files alone are not "needs custom code": only an auto_map makes loaders run them.
    assertThat(f.safety().customCode()).containsExactly("config.json: auto_map names modeling_x.py");
    assertThat(f.safety().quantization()).contains("awq");
    assertThat(f.hardware()).contains(new PolicyFacts.Hardware(false, "needs 50 GiB, 21.6 GiB usable on 1 GPU"));
    assertThat(facts(HardwareFit.unknown("no GPUs configured")).hardware()).isEmpty();
  }

  @Test
  void vaultPublisherSignatureStatusesMapToTheRulesTerms() {
    var verified = new dev.airlock.vault.catalog.PublisherSignature(
        dev.airlock.vault.catalog.PublisherSignature.Status.VERIFIED, Optional.of("Meta"), Optional.of("ab12"), "ok");
    var untrusted = new dev.airlock.vault.catalog.PublisherSignature(
        dev.airlock.vault.catalog.PublisherSignature.Status.SIGNER_NOT_TRUSTED, Optional.empty(), Optional.empty(), "x");
    assertThat(ModelFacts.publisherSignature(verified)).contains(new PolicyFacts.PublisherSignature("Meta", true, true));
    assertThat(ModelFacts.publisherSignature(untrusted))
        .contains(new PolicyFacts.PublisherSignature("a signer the trust store does not know", false, false));
    assertThat(ModelFacts.publisherSignature(dev.airlock.vault.catalog.PublisherSignature.absent())).isEmpty();
  }
}
