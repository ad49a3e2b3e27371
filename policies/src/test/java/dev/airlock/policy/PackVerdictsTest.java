package dev.airlock.policy;

import static dev.airlock.policy.Verdict.ALLOW;
import static dev.airlock.policy.Verdict.DENY;
import static dev.airlock.policy.Verdict.REVIEW;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The done-when cases: the shipped packs' verdicts on fixture models, and why. */
class PackVerdictsTest {
  static final Policy ENTERPRISE = PolicyFile.pack("enterprise-default");
  static final Policy PERMISSIVE = PolicyFile.pack("permissive-only");
  static final Policy EU = PolicyFile.pack("eu-public-sector");

  /** A mid-sized company in the EU, using models commercially, text only. */
  static final OrgProfile COMPANY = OrgProfile.of(2_000_000, true, true, false);

  static Evaluation check(Policy p, PolicyFacts f, OrgProfile org) {
    return PolicyEngine.evaluate(p, f, org);
  }

  @Test
  void apacheLicensedQwen3LikeModelIsAllowedByEnterpriseDefault() {
    Evaluation e = check(ENTERPRISE, Models.qwen3Like(), COMPANY);
    assertThat(e.verdict()).isEqualTo(ALLOW);
    assertThat(e.decidingRules()).containsExactly("allow-permissive");
    assertThat(e.rule("allow-permissive").reason())
        .isEqualTo("The model is bound by Apache-2.0, permissive, which this rule lists as ALLOW.");
    assertThat(e.rule("allow-permissive").evidence()).singleElement().asString().contains("license: apache-2.0");
    assertThat(check(PERMISSIVE, Models.qwen3Like(), COMPANY).verdict()).isEqualTo(ALLOW);
  }

  @Test
  void eu_publicSectorDeniesTheSameModelForItsOrigin() {
    Evaluation e = check(EU, Models.qwen3Like(), COMPANY);
    assertThat(e.verdict()).isEqualTo(DENY);
    assertThat(e.decidingRules()).containsExactly("deny-high-risk-origin");
    assertThat(e.rule("deny-high-risk-origin").reason())
        .isEqualTo("the model (publisher Alibaba Cloud) comes from CN, which this rule lists as DENY.");
  }

  @Test
  void llama31FineTuneForAnOrganizationWith800MillionUsersIsDenied() {
    OrgProfile huge = OrgProfile.of(800_000_000L, false, true, false);
    Evaluation e = check(ENTERPRISE, Models.llama31FineTune(), huge);
    assertThat(e.verdict()).isEqualTo(DENY);
    assertThat(e.decidingRules()).containsExactly("deny-above-user-limit");
    RuleResult r = e.rule("deny-above-user-limit");
    assertThat(r.reason()).isEqualTo("The organization has 800,000,000 monthly active users; "
        + "LicenseRef-scancode-llama-3.1-license-2024 allows at most 700,000,000 without a separate license from"
        + " its licensor.");
    assertThat(r.evidence()).containsExactly("LICENSE §2: \"greater than 700 million monthly active users\"");
    assertThat(r.howToFix()).get().asString().startsWith("Obtain a separate license from the licensor");
    // The same model for a smaller organization is fine: the limit is what denies it.
    Evaluation small = check(ENTERPRISE, Models.llama31FineTune(), COMPANY);
    assertThat(small.verdict()).isEqualTo(ALLOW);
    assertThat(small.decidingRules()).containsExactly("allow-open-weights");
    assertThat(small.rule("deny-above-user-limit").outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void mitDeclaredDistillationOfLlamaInheritsLlamaTermsAndObligations() {
    Evaluation e = check(ENTERPRISE, Models.mitDistillationOfLlama(), COMPANY);
    assertThat(e.verdict()).isEqualTo(ALLOW);
    assertThat(e.decidingRules()).containsExactly("allow-permissive", "allow-open-weights");
    assertThat(e.rule("allow-open-weights").reason()).isEqualTo("The model is bound by "
        + "LicenseRef-scancode-llama-3.1-license-2024 (inherited from meta-llama/Llama-3.1-70B-Instruct),"
        + " open-weights-restricted, which this rule lists as ALLOW.");
    assertThat(e.obligations()).extracting(PolicyFacts.Obligation::text)
        .anySatisfy(t -> assertThat(t).startsWith("Display \"Built with Llama\""))
        .anySatisfy(t -> assertThat(t).startsWith("Include \"Llama\" at the beginning of the name"));
    // The MIT declaration does not make it permissive-only material: Llama binds it.
    Evaluation strict = check(PERMISSIVE, Models.mitDistillationOfLlama(), COMPANY);
    assertThat(strict.verdict()).isEqualTo(DENY);
    assertThat(strict.decidingRules()).containsExactly("deny-other-licenses");
    assertThat(strict.rule("deny-other-licenses").reason()).isEqualTo("No license rule of this"
        + " policy names LicenseRef-scancode-llama-3.1-license-2024 (inherited from"
        + " meta-llama/Llama-3.1-70B-Instruct) (open-weights-restricted).");
    // And the inherited user limit still applies to the MIT-declared model.
    Evaluation huge = check(ENTERPRISE, Models.mitDistillationOfLlama(),
        OrgProfile.of(800_000_000L, false, true, false));
    assertThat(huge.verdict()).isEqualTo(DENY);
    assertThat(huge.decidingRules()).containsExactly("deny-above-user-limit");
  }

  @Test
  void gemmaModelListsItsFlowDownObligations() {
    Evaluation e = check(ENTERPRISE, Models.gemma(), COMPANY);
    assertThat(e.verdict()).isEqualTo(ALLOW);
    assertThat(e.decidingRules()).containsExactly("allow-open-weights");
    assertThat(e.obligations()).extracting(PolicyFacts.Obligation::text)
        .anySatisfy(t -> assertThat(t).startsWith("Include the use restrictions of section 3.2"))
        .anySatisfy(t -> assertThat(t).startsWith("Give recipients a copy of the Gemma Terms of Use"));
    Evaluation eu = check(EU, Models.gemma(), COMPANY);
    assertThat(eu.verdict()).isEqualTo(REVIEW);
    assertThat(eu.decidingRules())
        .containsExactly("review-open-weights", "review-use-restrictions", "review-non-eu-origin");
    assertThat(eu.rule("review-use-restrictions").reason()).isEqualTo("Use restrictions flow down"
        + " to every user: LicenseRef-scancode-gemma-tou-2024-04-01: the uses listed in the Gemma"
        + " Prohibited Use Policy.");
  }

  @Test
  void nonCommercialLicenseForCommercialUseIsDenied() {
    Evaluation e = check(ENTERPRISE, Models.ccByNc(), COMPANY);
    assertThat(e.verdict()).isEqualTo(DENY);
    assertThat(e.decidingRules()).containsExactly("deny-non-commercial-for-business");
    assertThat(e.rule("deny-non-commercial-for-business").reason()).isEqualTo(
        "CC-BY-NC-4.0 forbids commercial use, and the organization uses models commercially.");
    assertThat(e.rule("review-non-commercial").outcome()).isEqualTo(Outcome.REVIEW);
    // A research institute that states non-commercial use gets a review, not a denial.
    Evaluation research = check(ENTERPRISE, Models.ccByNc(), OrgProfile.of(1000, true, false, false));
    assertThat(research.verdict()).isEqualTo(REVIEW);
    assertThat(research.decidingRules()).containsExactly("review-non-commercial");
    assertThat(check(PERMISSIVE, Models.ccByNc(), COMPANY).decidingRules()).containsExactly("deny-other-licenses");
    assertThat(check(EU, Models.ccByNc(), COMPANY).decidingRules())
        .containsExactly("deny-non-commercial-and-proprietary");
  }

  @Test
  void pickleWeightsAreDeniedByEveryPack() {
    for (Policy p : new Policy[] {ENTERPRISE, PERMISSIVE, EU}) {
      Evaluation e = check(p, Models.pickleWeights(), COMPANY);
      assertThat(e.verdict()).as(p.name()).isEqualTo(DENY);
      assertThat(e.decidingRules()).as(p.name()).contains("deny-pickle-weights");
      assertThat(e.rule("deny-pickle-weights").reason()).isEqualTo(
          "Weights in Python pickle format can run code when loaded: pytorch_model.bin.");
    }
    assertThat(check(ENTERPRISE, Models.pickleWeights(), COMPANY).decidingRules())
        .containsExactly("deny-pickle-weights");
  }

  @Test
  void deniedOriginCountryIsDenied() {
    Evaluation e = check(ENTERPRISE, Models.fromCountry("Sanctioned Lab", "KP"), COMPANY);
    assertThat(e.verdict()).isEqualTo(DENY);
    assertThat(e.decidingRules()).containsExactly("deny-sanctioned-origin");
    assertThat(e.rule("deny-sanctioned-origin").reason()).isEqualTo(
        "the model (publisher Sanctioned Lab) comes from KP, which this rule lists as DENY.");
    // An EU publisher passes the strict pack's origin rules.
    Evaluation eu = check(EU, Models.fromCountry("Mistral AI", "FR"), COMPANY);
    assertThat(eu.verdict()).isEqualTo(ALLOW);
    assertThat(eu.rule("review-non-eu-origin").outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void originOfABaseModelCountsToo() {
    PolicyFacts f = Models.signedBundle("eu-lab/deepseek-ft")
        .license("MIT", "MIT License", dev.airlock.license.LicenseCategory.PERMISSIVE, "README.md")
        .ancestor(new PolicyFacts.Ancestor("deepseek-ai/DeepSeek-R1", "finetune", true,
            java.util.Optional.of("DeepSeek"), java.util.Optional.of("CN"), "README.md: base_model"))
        .origin("EU Lab", "DE", "bundle manifest")
        .build();
    Evaluation e = check(EU, f, COMPANY);
    assertThat(e.verdict()).isEqualTo(DENY);
    assertThat(e.decidingRules()).containsExactly("deny-high-risk-origin");
    assertThat(e.rule("deny-high-risk-origin").reason()).isEqualTo(
        "base model deepseek-ai/DeepSeek-R1 (publisher DeepSeek) comes from CN, which this rule lists as DENY.");
  }

  @Test
  void unknownLicenseGoesToReview() {
    for (Policy p : new Policy[] {ENTERPRISE, PERMISSIVE}) {
      Evaluation e = check(p, Models.unknownLicense(), COMPANY);
      assertThat(e.verdict()).as(p.name()).isEqualTo(REVIEW);
      assertThat(e.decidingRules()).as(p.name()).containsExactly("review-unknown-license");
      assertThat(e.rule("review-unknown-license").evidence()).containsExactly(
          "LICENSE: similar to LicenseRef-airlock-llama-3 (0.91) but not the same");
    }
  }
}
