package dev.airlock.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What changing the active policy does to the models already in the catalog: every model is
 * evaluated again, and approved models whose verdict got worse are flagged for the DPO.
 */
public final class PolicyChange {
  private PolicyChange() {}

  /** An approved model that the new policy judges more strictly. */
  public record Regression(String model, Verdict before, Verdict after, List<String> decidingRules) {
    public Regression {
      decidingRules = List.copyOf(decidingRules);
    }
  }

  /** Evaluates every model under {@code policy}, keyed and ordered by model id. */
  public static SortedMap<String, Evaluation> reevaluate(
      Policy policy, Map<String, PolicyFacts> models, OrgProfile org) {
    SortedMap<String, Evaluation> out = new TreeMap<>();
    models.forEach((id, facts) -> out.put(id, PolicyEngine.evaluate(policy, facts, org)));
    return out;
  }

  /**
   * The approved models whose verdict is worse now than when they were approved, in model-id
   * order, each with the rules that decided the new verdict.
   *
   * @param approvedVerdicts the verdict each approved model had when it was approved
   * @param now the verdicts under the new policy, for every model (see {@link #reevaluate})
   * @throws IllegalArgumentException when an approved model was not evaluated again
   */
  public static List<Regression> regressions(
      Map<String, Verdict> approvedVerdicts, Map<String, Evaluation> now) {
    List<String> missing =
        approvedVerdicts.keySet().stream().filter(m -> !now.containsKey(m)).sorted().toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "approved model(s) " + missing + " were not evaluated under the new policy; evaluate"
              + " every model before comparing, so that no regression goes unnoticed");
    }
    List<Regression> out = new ArrayList<>();
    new TreeMap<>(approvedVerdicts).forEach((model, before) -> {
      Evaluation after = now.get(model);
      if (after.verdict().compareTo(before) > 0) {
        out.add(new Regression(model, before, after.verdict(), after.decidingRules()));
      }
    });
    return out;
  }
}
