package dev.airlock.server.policy;

import dev.airlock.policy.PolicyChange;
import dev.airlock.policy.Verdict;
import java.util.List;
import java.util.Optional;

/**
 * What a policy version would decide for every approved or active model in the vault, next to
 * what the active policy decides for it today.
 *
 * @param models one line per approved or active model version, by model name and version
 * @param regressions the models whose verdict would get worse ({@link PolicyChange#regressions})
 * @param unreadable models that could not be judged, with the reason (their files are missing)
 */
public record Reevaluation(List<Outcome> models, List<PolicyChange.Regression> regressions, List<String> unreadable) {
  public Reevaluation {
    models = List.copyOf(models);
    regressions = List.copyOf(regressions);
    unreadable = List.copyOf(unreadable);
  }

  /** One model: its verdict under the active policy (absent if none is active) and under the new one. */
  public record Outcome(String versionId, String model, String state, Optional<Verdict> before, Verdict after,
                        List<String> decidingRules) {
    public Outcome {
      decidingRules = List.copyOf(decidingRules);
    }

    public boolean changed() {
      return before.map(b -> b != after).orElse(true);
    }

    public String beforeText() {
      return before.map(Verdict::name).orElse("none");
    }
  }

  public List<Outcome> changedModels() {
    return models.stream().filter(Outcome::changed).toList();
  }
}
