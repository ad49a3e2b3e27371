package dev.airlock.policy;

import static dev.airlock.policy.Verdict.ALLOW;
import static dev.airlock.policy.Verdict.DENY;
import static dev.airlock.policy.Verdict.REVIEW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyChangeTest {
  static final Map<String, PolicyFacts> CATALOG = Map.of(
      "qwen3", Models.qwen3Like(),
      "llama-ft", Models.llama31FineTune(),
      "gemma", Models.gemma(),
      "distill", Models.mitDistillationOfLlama());

  @Test
  void switchingToAStricterPolicyFlagsApprovedModelsWhoseVerdictGotWorse() {
    var before = PolicyChange.reevaluate(PolicyFile.pack("enterprise-default"), CATALOG, PackVerdictsTest.COMPANY);
    assertThat(before.values()).allSatisfy(e -> assertThat(e.verdict()).isEqualTo(ALLOW));
    Map<String, Verdict> approved = Map.of("qwen3", ALLOW, "llama-ft", ALLOW, "gemma", ALLOW);

    var after = PolicyChange.reevaluate(PolicyFile.pack("permissive-only"), CATALOG, PackVerdictsTest.COMPANY);
    assertThat(after.keySet()).containsExactly("distill", "gemma", "llama-ft", "qwen3");
    List<PolicyChange.Regression> r = PolicyChange.regressions(approved, after);
    assertThat(r).containsExactly(
        new PolicyChange.Regression("gemma", ALLOW, DENY, List.of("deny-other-licenses")),
        new PolicyChange.Regression("llama-ft", ALLOW, DENY, List.of("deny-other-licenses")));
  }

  @Test
  void sameOrBetterVerdictsAreNotRegressions() {
    var now = PolicyChange.reevaluate(PolicyFile.pack("enterprise-default"), CATALOG, PackVerdictsTest.COMPANY);
    assertThat(PolicyChange.regressions(Map.of("qwen3", ALLOW, "gemma", REVIEW), now)).isEmpty();
  }

  @Test
  void refusesToCompareWhenAnApprovedModelWasNotEvaluatedAgain() {
    var now = PolicyChange.reevaluate(PolicyFile.pack("enterprise-default"),
        Map.of("qwen3", Models.qwen3Like()), PackVerdictsTest.COMPANY);
    assertThatThrownBy(() -> PolicyChange.regressions(Map.of("qwen3", ALLOW, "gone", ALLOW), now))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("approved model(s) [gone] were not evaluated under the new policy; evaluate every"
            + " model before comparing, so that no regression goes unnoticed");
  }
}
