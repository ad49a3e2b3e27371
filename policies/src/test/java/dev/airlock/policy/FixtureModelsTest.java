package dev.airlock.policy;

import static dev.airlock.policy.Verdict.ALLOW;
import static dev.airlock.policy.Verdict.DENY;
import static dev.airlock.policy.Verdict.REVIEW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.policy.PolicyFacts.Origin;
import dev.airlock.vault.metadata.HardwareProfile;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The done-when cases end to end: license-audit's fixture model directories, scanned by
 * LicenseAudit and inspected by ModelInspector, judged by the shipped packs. A bare directory
 * has no bundle manifest, so each test states the model's publisher and origin as the manifest
 * would ({@code airlock policy check --publisher --origin-country}).
 */
class FixtureModelsTest {
  static final Path FIXTURES = Path.of("../license-audit/src/test/resources/fixtures/models");
  static final Origin EXAMPLE_US = new Origin(Optional.of("Example"), Optional.of("US"), "stated by the caller");
  static final OrgProfile COMPANY = PackVerdictsTest.COMPANY;

  static Evaluation check(String pack, String fixture, Origin origin, OrgProfile org) throws Exception {
    return check(pack, FIXTURES.resolve(fixture), origin, org);
  }

  static Evaluation check(String pack, Path dir, Origin origin, OrgProfile org) throws Exception {
    PolicyFacts f = ModelFacts.ofDirectory(dir, origin, HardwareProfile.none());
    return PolicyEngine.evaluate(PolicyFile.pack(pack), f, org);
  }

  @Test
  void apacheQwen3FineTuneIsAllowedByEnterpriseDefault() throws Exception {
    Evaluation e = check("enterprise-default", "qwen3-apache", EXAMPLE_US, COMPANY);
    assertThat(e.verdict()).isEqualTo(ALLOW);
    assertThat(e.decidingRules()).containsExactly("allow-permissive");
    assertThat(e.rule("allow-permissive").reason()).isEqualTo("The model is bound by Apache-2.0,"
        + " permissive; Apache-2.0 (inherited from Qwen/Qwen3-8B), permissive, which this rule"
        + " lists as ALLOW.");
    assertThat(e.rule("require-transfer-signature").outcome()).isEqualTo(Outcome.NOT_APPLICABLE);
    assertThat(e.rule("review-missing-sbom").outcome()).isEqualTo(Outcome.PASS);
    assertThat(e.notes()).contains(PolicyEngine.BARE_DIRECTORY_NOTE);
  }

  @Test
  void llama31FineTuneFor800MillionUsersIsDeniedByTheUserLimit() throws Exception {
    Evaluation e = check("enterprise-default", "llama31-finetune", EXAMPLE_US,
        OrgProfile.of(800_000_000L, false, true, false));
    assertThat(e.verdict()).isEqualTo(DENY);
    assertThat(e.decidingRules()).containsExactly("deny-above-user-limit");
    assertThat(e.rule("deny-above-user-limit").reason()).startsWith(
        "The organization has 800,000,000 monthly active users; LicenseRef-scancode-llama-3.1-license-2024"
            + " allows at most 700,000,000 without a separate license from its licensor.");
    assertThat(e.rule("deny-above-user-limit").evidence()).allSatisfy(
        ev -> assertThat(ev).startsWith("LicenseRef-scancode-llama-3.1-license-2024, Section 2"));
  }

  @Test
  void mitDistillationOfLlamaInheritsLlamaObligations() throws Exception {
    Evaluation e = check("enterprise-default", "mit-llama-distill", EXAMPLE_US, COMPANY);
    // No SBOM next to the fixture: that is the only thing left to review.
    assertThat(e.verdict()).isEqualTo(REVIEW);
    assertThat(e.decidingRules()).containsExactly("review-missing-sbom");
    assertThat(e.rule("allow-open-weights").reason()).isEqualTo("The model is bound by"
        + " LicenseRef-scancode-llama-3.1-license-2024 (inherited from meta-llama/Llama-3.1-8B),"
        + " open-weights-restricted, which this rule lists as ALLOW.");
    assertThat(e.obligations()).filteredOn(o -> o.licenseId().equals("LicenseRef-scancode-llama-3.1-license-2024"))
        .extracting(PolicyFacts.Obligation::text)
        .anySatisfy(t -> assertThat(t).contains("\"Built with Llama\""))
        .anySatisfy(t -> assertThat(t).contains("\"Llama\" at the beginning of its name"));
    Evaluation strict = check("permissive-only", "mit-llama-distill", EXAMPLE_US, COMPANY);
    assertThat(strict.verdict()).isEqualTo(DENY);
    assertThat(strict.decidingRules()).containsExactly("deny-other-licenses");
  }

  @Test
  void gemmaQuantizationListsFlowDownObligations() throws Exception {
    Evaluation e = check("enterprise-default", "gemma", EXAMPLE_US, COMPANY);
    assertThat(e.verdict()).isEqualTo(REVIEW);
    assertThat(e.decidingRules()).containsExactly("review-missing-sbom");
    assertThat(e.rule("allow-open-weights").outcome()).isEqualTo(Outcome.ALLOW);
    assertThat(e.obligations()).extracting(PolicyFacts.Obligation::text)
        .anySatisfy(t -> assertThat(t).startsWith("Include the Section 3.2 use restrictions as an"
            + " enforceable provision in any agreement governing Gemma"))
        .anySatisfy(t -> assertThat(t).startsWith("Give all third-party recipients a copy of the Gemma Terms of Use"));
  }

  @Test
  void ccByNcForCommercialUseIsDenied() throws Exception {
    Evaluation e = check("enterprise-default", "cc-by-nc", EXAMPLE_US, COMPANY);
    assertThat(e.verdict()).isEqualTo(DENY);
    assertThat(e.decidingRules()).containsExactly("deny-non-commercial-for-business");
  }

  @Test
  void unknownLicenseGoesToReview() throws Exception {
    Evaluation e = check("enterprise-default", "unknown-license", EXAMPLE_US, COMPANY);
    assertThat(e.verdict()).isEqualTo(REVIEW);
    assertThat(e.decidingRules())
        .containsExactly("review-unknown-license", "review-license-findings", "review-missing-sbom");
    assertThat(e.rule("review-license-findings").reason()).contains("acme-model-license-1.0")
        .endsWith("[license-id-unknown]");
  }

  @Test
  void declaredApacheShippingTheLlamaLicenseIsReviewedForTheConflict() throws Exception {
    Evaluation e = check("enterprise-default", "declared-apache-ships-llama", EXAMPLE_US, COMPANY);
    assertThat(e.verdict()).isEqualTo(REVIEW);
    assertThat(e.decidingRules()).containsExactly("review-license-findings", "review-missing-sbom");
    assertThat(e.rule("review-license-findings").reason()).endsWith("[license-conflict]");
  }

  @Test
  void pickleWeightsAreDenied() throws Exception {
    Evaluation e = check("enterprise-default", "pickle-weights", EXAMPLE_US, COMPANY);
    assertThat(e.verdict()).isEqualTo(DENY);
    assertThat(e.decidingRules()).containsExactly("deny-pickle-weights");
    assertThat(e.rule("deny-pickle-weights").evidence()).containsExactly("pytorch_model.bin");
    assertThat(e.rule("deny-pickle-weights").howToFix()).get().asString()
        .startsWith("Use the safetensors or GGUF version of the model");
  }

  @Test
  void deepSeekFineTuneIsDeniedByTheStrictPackForItsBaseModelsOrigin() throws Exception {
    Evaluation e = check("eu-public-sector", "deepseek-v3-finetune",
        new Origin(Optional.of("EU Lab"), Optional.of("DE"), "stated"), COMPANY);
    assertThat(e.verdict()).isEqualTo(DENY);
    assertThat(e.decidingRules()).containsExactly(
        "deny-high-risk-origin", "require-publisher-signature", "require-sbom");
    assertThat(e.rule("deny-high-risk-origin").reason()).isEqualTo("base model"
        + " deepseek-ai/DeepSeek-V3 (publisher DeepSeek) comes from CN, which this rule lists as DENY.");
    assertThat(e.rule("review-use-restrictions").outcome()).isEqualTo(Outcome.REVIEW);
  }

  @Test
  void deniedOriginCountryIsDenied() throws Exception {
    Origin sanctioned = new Origin(Optional.of("Sanctioned Lab"), Optional.of("RU"), "stated by the caller");
    Evaluation e = check("enterprise-default", "qwen3-apache", sanctioned, COMPANY);
    assertThat(e.verdict()).isEqualTo(DENY);
    assertThat(e.decidingRules()).containsExactly("deny-sanctioned-origin");
    // The strict pack also looks at the base model: Qwen3 comes from CN.
    Evaluation eu = check("eu-public-sector", "qwen3-apache",
        new Origin(Optional.of("EU Lab"), Optional.of("DE"), "stated"), COMPANY);
    assertThat(eu.verdict()).isEqualTo(DENY);
    assertThat(eu.decidingRules()).containsExactly("deny-high-risk-origin", "require-publisher-signature");
    assertThat(eu.rule("deny-high-risk-origin").reason()).isEqualTo("base model Qwen/Qwen3-8B"
        + " (publisher Alibaba Cloud) comes from CN, which this rule lists as DENY.");
  }

  @Test
  void bareDirectoryWithoutStatedOriginIsReviewedForIt() throws Exception {
    Evaluation e = check("enterprise-default", "qwen3-apache", Origin.unknown(), COMPANY);
    assertThat(e.verdict()).isEqualTo(REVIEW);
    assertThat(e.decidingRules()).containsExactly("review-unknown-origin");
  }
}
