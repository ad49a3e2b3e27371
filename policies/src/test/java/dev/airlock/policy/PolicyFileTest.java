package dev.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyFileTest {
  static final String HEADER =
      """
      format: airlock.policy/v1
      name: test
      description: A test policy.
      rules:
      """;

  static InvalidPolicyException invalid(String yaml) {
    try {
      PolicyFile.parse(yaml, "test.yaml");
    } catch (InvalidPolicyException e) {
      return e;
    }
    throw new AssertionError("expected the policy to be rejected:\n" + yaml);
  }

  static PolicyProblem only(InvalidPolicyException e) {
    assertThat(e.problems()).as(e.getMessage()).hasSize(1);
    return e.problems().get(0);
  }

  @Test
  void everyShippedPackIsValidAndNamedLikeItsFile() {
    for (String name : PolicyFile.PACKS) {
      Policy p = PolicyFile.pack(name);
      assertThat(p.name()).isEqualTo(name);
      assertThat(p.rules()).isNotEmpty();
      assertThat(p.rules()).allSatisfy(r -> {
        assertThat(r.description()).isNotBlank();
        assertThat(r.howToFix()).isNotBlank();
      });
    }
  }

  @Test
  void shippedPacksOnTheClasspathAreTheFilesInPoliciesPacks() throws Exception {
    for (String name : PolicyFile.PACKS) {
      Path file = Path.of("packs", name + ".yaml");
      assertThat(PolicyFile.pack(name).source()).isEqualTo(Files.readString(file));
    }
  }

  @Test
  void readsEveryRuleKindWithItsParameters() throws Exception {
    Policy p = PolicyFile.parse(HEADER + """
          - id: nc
            description: d
            kind: license
            ids: [CC-BY-NC-4.0]
            categories: [non-commercial]
            verdict: DENY
            how_to_fix: f
          - id: origin
            description: d
            kind: origin-country
            countries: [KP]
            verdict: DENY
            how_to_fix: f
          - id: quant
            description: d
            kind: quantization
            allowed: [none, q8_0]
            verdict: REVIEW
            how_to_fix: f
          - id: signed
            description: d
            kind: publisher-signature
            trusted_publishers: [Meta, Mistral AI]
            verdict: DENY
            how_to_fix: f
          - id: big-orgs
            description: d
            kind: cel
            expression: 'has(org.monthly_active_users) && org.monthly_active_users > 1000'
            verdict: REVIEW
            how_to_fix: f
        """, "t.yaml");
    assertThat(p.rules()).extracting(Rule::id).containsExactly("nc", "origin", "quant", "signed", "big-orgs");
    assertThat(p.rules().get(0).kind()).isEqualTo(new RuleKind.LicenseList(
        java.util.Set.of("CC-BY-NC-4.0"), java.util.Set.of(dev.airlock.license.LicenseCategory.NON_COMMERCIAL)));
    assertThat(p.rules().get(1).kind()).isEqualTo(new RuleKind.OriginCountry(java.util.Set.of("KP")));
    assertThat(p.rules().get(2).kind()).isEqualTo(new RuleKind.Quantization(java.util.Set.of("none", "q8_0")));
    assertThat(p.rules().get(3).kind()).isEqualTo(new RuleKind.PublisherSignature(List.of("Meta", "Mistral AI")));
    assertThat(p.rules().get(4).kind()).isInstanceOf(RuleKind.Cel.class);
    // Parsing is a function of the text: the same file gives an equal policy, CEL rules included.
    assertThat(PolicyFile.parse(p.source(), "again.yaml")).isEqualTo(p);
    assertThat(p.rules().get(1).line()).isEqualTo(12);
  }

  @Test
  void rejectsMalformedYamlWithLineAndColumn() {
    PolicyProblem p = only(invalid(HEADER + """
          - id: a
            description: [unclosed
            kind: license
        """));
    assertThat(p.toString()).isEqualTo("7:9: not valid YAML: expected ',' or ']', but got :"
        + " (while parsing a flow sequence that starts at line 6, column 18)");
  }

  @Test
  void rejectsDuplicateKeysWithTheirPosition() {
    PolicyProblem p = only(invalid("""
        format: airlock.policy/v1
        name: a
        name: b
        description: d
        rules: []
        """));
    assertThat(p.line()).isEqualTo(3);
    assertThat(p.message()).contains("Duplicate field 'name'");
  }

  @Test
  void rejectsAFileThatIsNotAMapping() {
    PolicyProblem p = only(invalid("- just\n- a list\n"));
    assertThat(p.line()).isEqualTo(1);
    assertThat(p.message()).contains("expected a mapping with format, name, description and rules")
        .contains("found a list");
  }

  @Test
  void rejectsAnEmptyFile() {
    assertThat(only(invalid("")).message()).contains("found an empty file");
  }

  @Test
  void rejectsYamlThatIsNotAPolicyNamingWhatIsMissingAndUnknown() {
    InvalidPolicyException e = invalid("""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: x
        """);
    assertThat(e.problems()).extracting(PolicyProblem::toString)
        .anySatisfy(s -> assertThat(s).startsWith("1:1: ").contains("required property 'format' not found"))
        .anySatisfy(s -> assertThat(s).startsWith("1:1: ").contains("required property 'rules' not found"))
        .anySatisfy(s -> assertThat(s).startsWith("2:7: kind: unknown key 'kind' for this place"));
    assertThat(e.getMessage()).startsWith("test.yaml is not a valid Airlock policy");
  }

  @Test
  void rejectsUnknownRuleKindAtItsLineAndColumn() {
    PolicyProblem p = only(invalid(HEADER + """
          - id: a
            description: d
            kind: license-wizardry
            verdict: DENY
            how_to_fix: f
        """));
    assertThat(p.line()).isEqualTo(7);
    assertThat(p.column()).isEqualTo(11);
    assertThat(p.path()).isEqualTo("rules[0].kind");
    assertThat(p.message()).contains("does not have a value in the enumeration").contains("origin-country");
  }

  @Test
  void rejectsAnUnknownVerdict() {
    PolicyProblem p = only(invalid(HEADER + """
          - id: a
            description: d
            kind: pickle-weights
            verdict: MAYBE
            how_to_fix: f
        """));
    assertThat(p.toString()).startsWith("8:14: rules[0].verdict: ");
  }

  @Test
  void rejectsAllowOnARuleThatCanOnlyObject() {
    PolicyProblem p = only(invalid(HEADER + """
          - id: a
            description: d
            kind: pickle-weights
            verdict: ALLOW
            how_to_fix: f
        """));
    assertThat(p.toString()).startsWith("8:14: rules[0].verdict: ").contains("REVIEW").contains("DENY");
  }

  @Test
  void rejectsBadParameters() {
    InvalidPolicyException e = invalid(HEADER + """
          - id: a
            description: d
            kind: origin-country
            countries: [Germany]
            verdict: DENY
            how_to_fix: f
          - id: b
            description: d
            kind: license
            categories: [free-as-in-beer]
            verdict: ALLOW
            how_to_fix: f
          - id: c
            description: d
            kind: quantization
            allowed: []
            verdict: DENY
            how_to_fix: f
          - id: d
            description: d
            kind: license
            verdict: DENY
            how_to_fix: f
        """);
    assertThat(e.problems()).extracting(PolicyProblem::toString)
        .anySatisfy(s -> assertThat(s).startsWith("8:17: rules[0].countries[0]: ").contains("^[A-Z]{2}$"))
        .anySatisfy(s -> assertThat(s).startsWith("14:18: rules[1].categories[0]: ").contains("enumeration"))
        .anySatisfy(s -> assertThat(s).startsWith("20:14: rules[2].allowed: ").contains("at least 1"))
        .anySatisfy(s -> assertThat(s).startsWith("23:5: rules[3]: ").contains("required property 'ids' not found"));
  }

  @Test
  void rejectsAParameterThatBelongsToAnotherKind() {
    InvalidPolicyException e = invalid(HEADER + """
          - id: a
            description: d
            kind: pickle-weights
            countries: [KP]
            verdict: DENY
            how_to_fix: f
        """);
    assertThat(e.problems()).extracting(PolicyProblem::toString)
        .anySatisfy(s -> assertThat(s).isEqualTo("8:16: rules[0].countries: unknown key 'countries' for this place; see docs/policy.schema.json for the keys a policy and each rule kind take"));
  }

  @Test
  void rejectsALicenseFindingCodeTheAuditNeverReports() {
    PolicyProblem p = only(invalid(HEADER + """
          - id: a
            description: d
            kind: license-finding
            codes: [license-conflict, licence-conflict]
            verdict: REVIEW
            how_to_fix: f
        """));
    assertThat(p.toString()).startsWith("8:31: rules[0].codes[1]: unknown license-audit finding code"
        + " 'licence-conflict'; the codes are [base-model-resolved,");
  }

  @Test
  void rejectsContradictoryLicenseVerdicts() {
    InvalidPolicyException e = invalid(HEADER + """
          - id: allow-apache
            description: d
            kind: license
            ids: [Apache-2.0, MIT]
            verdict: ALLOW
            how_to_fix: f
          - id: deny-apache
            description: d
            kind: license
            ids: [apache-2.0]
            verdict: DENY
            how_to_fix: f
        """);
    PolicyProblem p = only(e);
    assertThat(p.toString()).isEqualTo(
        "14:11: rules[1].ids[0]: contradicts rule 'allow-apache': license apache-2.0 is ALLOW there"
            + " and DENY here; each license may have only one verdict");
  }

  @Test
  void rejectsContradictoryCategoriesCountriesAndSingletonRules() {
    InvalidPolicyException e = invalid(HEADER + """
          - id: a
            description: d
            kind: license
            categories: [copyleft]
            verdict: REVIEW
            how_to_fix: f
          - id: b
            description: d
            kind: license
            categories: [permissive, copyleft]
            verdict: ALLOW
            how_to_fix: f
          - id: c
            description: d
            kind: origin-country
            countries: [KP]
            verdict: DENY
            how_to_fix: f
          - id: e
            description: d
            kind: origin-country
            countries: [KP]
            verdict: REVIEW
            how_to_fix: f
          - id: f
            description: d
            kind: unlisted-license
            verdict: DENY
            how_to_fix: f
          - id: g
            description: d
            kind: unlisted-license
            verdict: ALLOW
            how_to_fix: f
        """);
    assertThat(e.problems()).extracting(PolicyProblem::toString).containsExactly(
        "14:30: rules[1].categories[1]: contradicts rule 'a': license category copyleft is REVIEW"
            + " there and ALLOW here; each license category may have only one verdict",
        "26:17: rules[3].countries[0]: contradicts rule 'c': origin country KP is DENY there and"
            + " REVIEW here; each origin country may have only one verdict",
        "37:14: rules[5].verdict: contradicts rule 'f': both are unlisted-license rules, one says"
            + " DENY and this one ALLOW; keep one of them");
  }

  @Test
  void rejectsDuplicateRuleIds() {
    PolicyProblem p = only(invalid(HEADER + """
          - id: same
            description: d
            kind: pickle-weights
            verdict: DENY
            how_to_fix: f
          - id: same
            description: d
            kind: custom-code
            verdict: DENY
            how_to_fix: f
        """));
    assertThat(p.toString()).isEqualTo(
        "10:9: rules[1].id: rule id 'same' is used twice (first on line 5); give each rule its own id");
  }

  @Test
  void rejectsACelExpressionThatDoesNotCompile() {
    PolicyProblem p = only(invalid(HEADER + """
          - id: a
            description: d
            kind: cel
            expression: "licenses.exists(l, l.id == )"
            verdict: REVIEW
            how_to_fix: f
        """));
    assertThat(p.line()).isEqualTo(8);
    assertThat(p.path()).isEqualTo("rules[0].expression");
    assertThat(p.message()).startsWith("CEL expression does not compile (at its line 1, column");
  }

  @Test
  void rejectsACelExpressionThatIsNotACondition() {
    PolicyProblem p = only(invalid(HEADER + """
          - id: a
            description: d
            kind: cel
            expression: "org.monthly_active_users + 1"
            verdict: REVIEW
            how_to_fix: f
        """));
    assertThat(p.message()).startsWith("CEL expression does not compile").containsIgnoringCase("bool");
  }

  @Test
  void readsFromDiskAndRefusesHugeFiles(@TempDir Path dir) throws Exception {
    Path huge = dir.resolve("huge.yaml");
    Files.write(huge, new byte[(int) PolicyFile.MAX_POLICY_BYTES + 1]);
    assertThatThrownBy(() -> PolicyFile.read(huge))
        .isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("a policy file is at most 1048576 bytes");
    assertThatThrownBy(() -> PolicyFile.resolve(dir.resolve("nope.yaml").toString()))
        .hasMessageContaining("neither a shipped policy pack [permissive-only, enterprise-default,"
            + " eu-public-sector] nor an existing policy file");
  }
}
