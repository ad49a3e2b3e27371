package dev.airlock.policy;

import static dev.airlock.policy.Verdict.ALLOW;
import static dev.airlock.policy.Verdict.DENY;
import static dev.airlock.policy.Verdict.REVIEW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.license.LicenseCategory;
import dev.airlock.policy.PolicyFacts.Provenance;
import dev.airlock.policy.PolicyFacts.PublisherSignature;
import dev.airlock.policy.PolicyFacts.RestrictionKind;
import dev.airlock.policy.PolicyFacts.Safety;
import dev.airlock.policy.PolicyFacts.SubjectKind;
import dev.airlock.policy.PolicyFacts.TransferState;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PolicyEngineTest {
  static final OrgProfile COMPANY = PackVerdictsTest.COMPANY;

  static Policy policy(String rules) throws InvalidPolicyException {
    return PolicyFile.parse(PolicyFileTest.HEADER + rules, "test.yaml");
  }

  static String rule(String id, String kind, String verdict, String params) {
    return "  - id: " + id + "\n    description: d\n    kind: " + kind + "\n    verdict: " + verdict
        + "\n    how_to_fix: fix " + id + "\n" + params;
  }

  @Test
  void bareDirectoryMakesTransferSignatureNotApplicableAndSaysSo() {
    PolicyFacts dir = PolicyFacts.builder("./models/qwen3", SubjectKind.DIRECTORY)
        .license("Apache-2.0", "Apache License 2.0", LicenseCategory.PERMISSIVE, "LICENSE")
        .origin("Alibaba Cloud", "CN", "card")
        .provenance(Provenance.bareDirectory(true))
        .build();
    Evaluation e = PolicyEngine.evaluate(PolicyFile.pack("enterprise-default"), dir, COMPANY);
    assertThat(e.verdict()).isEqualTo(ALLOW);
    RuleResult t = e.rule("require-transfer-signature");
    assertThat(t.outcome()).isEqualTo(Outcome.NOT_APPLICABLE);
    assertThat(t.reason()).startsWith("Not applicable: no bundle.");
    assertThat(t.howToFix()).isEmpty();
    assertThat(e.notes()).contains(PolicyEngine.BARE_DIRECTORY_NOTE);
  }

  @Test
  void bundleWithoutTransferSignatureIsDenied() {
    PolicyFacts b = PolicyFacts.builder("qwen3.airlock", SubjectKind.BUNDLE)
        .license("Apache-2.0", "Apache License 2.0", LicenseCategory.PERMISSIVE, "LICENSE")
        .origin("Alibaba Cloud", "CN", "manifest")
        .provenance(new Provenance(TransferState.MISSING, "no signature entry in the bundle", Optional.empty(), true))
        .build();
    Evaluation e = PolicyEngine.evaluate(PolicyFile.pack("enterprise-default"), b, COMPANY);
    assertThat(e.verdict()).isEqualTo(DENY);
    assertThat(e.decidingRules()).containsExactly("require-transfer-signature");
    assertThat(e.rule("require-transfer-signature").reason()).isEqualTo("The bundle has no transfer signature.");
    assertThat(e.rule("require-transfer-signature").howToFix()).get().asString().contains("airlock bundle create");
    assertThat(e.notes()).doesNotContain(PolicyEngine.BARE_DIRECTORY_NOTE);
  }

  @Test
  void evaluationIsDeterministicWhateverTheOrderOfFacts() {
    PolicyFacts a = Models.mitDistillationOfLlama();
    List<PolicyFacts.LicenseFact> reversed = new java.util.ArrayList<>(a.licenses());
    java.util.Collections.reverse(reversed);
    PolicyFacts b = new PolicyFacts(a.subject(), reversed, a.lineage(), a.thresholds(),
        a.restrictions(), a.obligations(), a.findings(), a.origin(), a.provenance(), a.safety(), a.hardware());
    Policy p = PolicyFile.pack("permissive-only");
    assertThat(PolicyEngine.evaluate(p, a, COMPANY)).isEqualTo(PolicyEngine.evaluate(p, b, COMPANY));
    assertThat(PolicyEngine.evaluate(p, a, COMPANY).rules()).extracting(RuleResult::id)
        .containsExactlyElementsOf(p.rules().stream().map(Rule::id).toList());
  }

  @Test
  void unstatedOrganizationProfileAsksForReviewWhereTheLicenseHasTerms() {
    Evaluation e = PolicyEngine.evaluate(PolicyFile.pack("enterprise-default"),
        Models.llama31FineTune(), OrgProfile.unknown());
    assertThat(e.verdict()).isEqualTo(REVIEW);
    assertThat(e.decidingRules()).containsExactly("deny-above-user-limit");
    assertThat(e.rule("deny-above-user-limit").reason()).isEqualTo(
        "LicenseRef-scancode-llama-3.1-license-2024 allows at most 700,000,000 monthly active users, and the"
            + " organization profile does not state its monthly active users.");
    assertThat(e.notes()).anySatisfy(n -> assertThat(n).contains("--org-profile"));
  }

  @Test
  void euMultimodalClauseDeniesOnlyEuOrganizationsUsingMultimodal() throws Exception {
    Policy p = policy(rule("eu-mm", "eu-multimodal", "DENY", ""));
    PolicyFacts llama32 = Models.signedBundle("meta-llama/Llama-3.2-11B-Vision")
        .license("LicenseRef-scancode-llama-3.2-license-2024", "Llama 3.2", LicenseCategory.OPEN_WEIGHTS_RESTRICTED, "LICENSE")
        .restriction("LicenseRef-scancode-llama-3.2-license-2024", RestrictionKind.EU_MULTIMODAL,
            "multimodal rights not granted to EU-domiciled entities", "USE_POLICY.md")
        .build();
    assertThat(PolicyEngine.evaluate(p, llama32, OrgProfile.of(10, true, true, true)).verdict()).isEqualTo(DENY);
    assertThat(PolicyEngine.evaluate(p, llama32, OrgProfile.of(10, true, true, false)).verdict()).isEqualTo(ALLOW);
    assertThat(PolicyEngine.evaluate(p, llama32, OrgProfile.of(10, false, true, true)).verdict()).isEqualTo(ALLOW);
    assertThat(PolicyEngine.evaluate(p, llama32, OrgProfile.unknown()).verdict()).isEqualTo(REVIEW);
  }

  @Test
  void publisherSignatureMustVerifyAndComeFromATrustedPublisher() throws Exception {
    Policy p = policy(rule("sig", "publisher-signature", "DENY", "    trusted_publishers: [Meta]\n"));
    java.util.function.Function<Optional<PublisherSignature>, Evaluation> with = sig ->
        PolicyEngine.evaluate(p, PolicyFacts.builder("m", SubjectKind.BUNDLE)
            .provenance(new Provenance(TransferState.VERIFIED, "ok", sig, true)).build(), COMPANY);
    assertThat(with.apply(Optional.empty()).rule("sig").reason())
        .isEqualTo("The model carries no publisher signature (model.sig).");
    assertThat(with.apply(Optional.of(new PublisherSignature("Meta", false, true))).verdict()).isEqualTo(DENY);
    assertThat(with.apply(Optional.of(new PublisherSignature("Meta", true, false))).rule("sig").reason())
        .isEqualTo("The publisher signature is by Meta, who is not a trusted publisher in the trust store.");
    assertThat(with.apply(Optional.of(new PublisherSignature("Other", true, true))).rule("sig").reason())
        .isEqualTo("The model is signed by Other, who is not one of the publishers this rule trusts [Meta].");
    assertThat(with.apply(Optional.of(new PublisherSignature("Meta", true, true))).verdict()).isEqualTo(ALLOW);
  }

  @Test
  void safetyQuantizationHardwareAndLineageRules() throws Exception {
    Policy p = policy(
        rule("code", "custom-code", "DENY", "")
            + rule("quant", "quantization", "REVIEW", "    allowed: [none, q8_0]\n")
            + rule("fit", "hardware-fit", "REVIEW", "")
            + rule("lineage", "unresolved-lineage", "REVIEW", ""));
    PolicyFacts f = PolicyFacts.builder("m", SubjectKind.BUNDLE)
        .safety(new Safety(List.of(), List.of("config.json: auto_map", "modeling_custom.py"), Optional.of("Q4_K_M")))
        .hardware(false, "needs 48.2 GiB, the largest GPU has 24 GiB")
        .ancestor(new PolicyFacts.Ancestor("someone/unknown-base", "finetune", false, Optional.empty(),
            Optional.empty(), "README.md: base_model"))
        .build();
    Evaluation e = PolicyEngine.evaluate(p, f, COMPANY);
    assertThat(e.verdict()).isEqualTo(DENY);
    assertThat(e.rule("code").reason()).isEqualTo(
        "The model needs its own code (trust_remote_code): config.json: auto_map, modeling_custom.py.");
    assertThat(e.rule("quant").reason()).isEqualTo("Quantization q4_k_m is not among the allowed [none, q8_0].");
    assertThat(e.rule("fit").reason()).isEqualTo("The model does not fit: needs 48.2 GiB, the largest GPU has 24 GiB");
    assertThat(e.rule("lineage").outcome()).isEqualTo(Outcome.REVIEW);
    assertThat(e.decidingRules()).containsExactly("code");

    Evaluation unknownHardware = PolicyEngine.evaluate(p, PolicyFacts.builder("m", SubjectKind.BUNDLE).build(), COMPANY);
    assertThat(unknownHardware.rule("fit").outcome()).isEqualTo(Outcome.NOT_APPLICABLE);
    assertThat(unknownHardware.rule("quant").outcome()).isEqualTo(Outcome.PASS);
    assertThat(unknownHardware.verdict()).isEqualTo(ALLOW);
  }

  @Test
  void noLicenseAtAllIsCaughtByTheUnlistedLicenseRule() {
    Evaluation e = PolicyEngine.evaluate(PolicyFile.pack("enterprise-default"),
        Models.signedBundle("x").origin("X", "US", "manifest").build(), COMPANY);
    assertThat(e.verdict()).isEqualTo(REVIEW);
    assertThat(e.decidingRules()).containsExactly("review-unlisted-license");
    assertThat(e.rule("review-unlisted-license").reason())
        .isEqualTo("No license was found for the model or its ancestors.");
  }

  @Test
  void celConditionsSeeLicensesOrganizationAndModel() throws Exception {
    Policy p = policy(rule("big-org-restricted", "cel", "REVIEW",
        "    expression: >-\n      has(org.monthly_active_users) && org.monthly_active_users > 1000000\n"
            + "      && licenses.exists(l, l.category == 'open-weights-restricted' && l.inherited_from != '')\n"));
    Evaluation hit = PolicyEngine.evaluate(p, Models.llama31FineTune(), COMPANY);
    assertThat(hit.verdict()).isEqualTo(REVIEW);
    assertThat(hit.rule("big-org-restricted").reason()).startsWith("The condition holds: has(org.monthly_active_users)");
    assertThat(PolicyEngine.evaluate(p, Models.qwen3Like(), COMPANY).verdict()).isEqualTo(ALLOW);
    assertThat(PolicyEngine.evaluate(p, Models.llama31FineTune(), OrgProfile.unknown()).verdict()).isEqualTo(ALLOW);
  }

  @Test
  void celConditionThatFailsAtRunTimeAsksForReview() throws Exception {
    Policy p = policy(rule("mau", "cel", "DENY", "    expression: org.monthly_active_users > 10\n"));
    Evaluation e = PolicyEngine.evaluate(p, Models.qwen3Like(), OrgProfile.unknown());
    assertThat(e.verdict()).isEqualTo(REVIEW);
    assertThat(e.rule("mau").reason()).startsWith("The condition could not be evaluated (")
        .endsWith("so a person must decide.");
  }

  @Test
  void licenseIdsMatchWithoutRegardToCase() throws Exception {
    Policy p = policy(rule("deny-nc", "license", "DENY", "    ids: [cc-by-nc-4.0]\n"));
    assertThat(PolicyEngine.evaluate(p, Models.ccByNc(), COMPANY).decidingRules()).containsExactly("deny-nc");
  }
}
