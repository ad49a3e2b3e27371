package dev.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The policy's {@code approvals:} key: how many different DPOs must approve a model. */
class PolicyApprovalsTest {
  private static final String RULES =
      """
      rules:
        - id: allow-permissive
          description: d
          kind: license
          categories: [permissive]
          verdict: ALLOW
          how_to_fix: f
      """;

  private static String policy(String approvalsLine) {
    return "format: airlock.policy/v1\nname: test\ndescription: A test policy.\n" + approvalsLine + RULES;
  }

  @Test
  void readsTheNumberOfApprovals() throws Exception {
    assertThat(PolicyFile.parse(policy("approvals: 2\n"), "test.yaml").approvals()).isEqualTo(2);
    assertThat(PolicyFile.parse(policy("approvals: 5\n"), "test.yaml").approvals()).isEqualTo(5);
  }

  @Test
  void oneApprovalWhenThePolicyDoesNotSay() throws Exception {
    assertThat(PolicyFile.parse(policy(""), "test.yaml").approvals()).isEqualTo(1);
  }

  @Test
  void refusesApprovalsOutOfRangeOrNotAWholeNumber() {
    for (String bad : new String[] {"0", "6", "-1", "1.5", "two"}) {
      PolicyProblem p = PolicyFileTest.only(PolicyFileTest.invalid(policy("approvals: " + bad + "\n")));
      assertThat(p.path()).isEqualTo("approvals");
      assertThat(p.line()).isEqualTo(4);
      assertThat(p.message()).as(bad).isEqualTo("approvals is how many different DPOs must approve a model:"
          + " a whole number from 1 to 5, found " + (bad.equals("two") ? "\"two\"" : bad)
          + "; leave it out for 1");
    }
  }

  @Test
  void fourEyesInTheStrictPacksOneInPermissiveOnly() {
    assertThat(PolicyFile.pack("enterprise-default").approvals()).isEqualTo(2);
    assertThat(PolicyFile.pack("eu-public-sector").approvals()).isEqualTo(2);
    assertThat(PolicyFile.pack("permissive-only").approvals()).isEqualTo(1);
  }

  @Test
  void theEvaluationCarriesTheRequiredApprovals() throws Exception {
    Policy p = PolicyFile.parse(policy("approvals: 3\n"), "test.yaml");
    PolicyFacts facts = PolicyFacts.builder("m", PolicyFacts.SubjectKind.DIRECTORY)
        .license("Apache-2.0", "Apache License 2.0", dev.airlock.license.LicenseCategory.PERMISSIVE, "LICENSE")
        .build();
    Evaluation e = PolicyEngine.evaluate(p, facts, OrgProfile.unknown());
    assertThat(e.requiredApprovals()).isEqualTo(3);
    assertThat(EvaluationJson.toTree(e, facts).get("required_approvals").asInt()).isEqualTo(3);
  }
}
