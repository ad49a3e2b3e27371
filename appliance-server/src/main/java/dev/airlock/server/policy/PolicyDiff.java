package dev.airlock.server.policy;

import dev.airlock.policy.Policy;
import dev.airlock.policy.Rule;
import dev.airlock.policy.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What changed between two versions of a policy, rule by rule (matched by rule id): rules added,
 * rules removed, and rules whose verdict, description, check or "how to fix" changed. Computed
 * from the parsed policies, so reformatting the YAML changes nothing here.
 */
public record PolicyDiff(List<Rule> added, List<Rule> removed, List<Changed> changed, List<String> headerChanges) {
  public PolicyDiff {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    changed = List.copyOf(changed);
    headerChanges = List.copyOf(headerChanges);
  }

  /** A rule present in both versions that differs; {@code fields} names what changed. */
  public record Changed(String id, Verdict verdictBefore, Verdict verdictAfter, String descriptionBefore,
                        String descriptionAfter, List<String> fields) {
    public Changed {
      fields = List.copyOf(fields);
    }

    public boolean verdictChanged() {
      return verdictBefore != verdictAfter;
    }
  }

  public boolean isEmpty() {
    return added.isEmpty() && removed.isEmpty() && changed.isEmpty() && headerChanges.isEmpty();
  }

  public static PolicyDiff between(Policy before, Policy after) {
    Map<String, Rule> old = byId(before);
    Map<String, Rule> now = byId(after);
    List<Rule> added = new ArrayList<>();
    List<Changed> changed = new ArrayList<>();
    for (Rule r : after.rules()) {
      Rule was = old.get(r.id());
      if (was == null) {
        added.add(r);
        continue;
      }
      List<String> fields = new ArrayList<>();
      if (was.verdict() != r.verdict()) fields.add("verdict");
      if (!was.description().equals(r.description())) fields.add("description");
      if (!was.kind().equals(r.kind())) fields.add("check");
      if (!was.howToFix().equals(r.howToFix())) fields.add("how_to_fix");
      if (!fields.isEmpty()) {
        changed.add(new Changed(r.id(), was.verdict(), r.verdict(), was.description(), r.description(), fields));
      }
    }
    List<Rule> removed = before.rules().stream().filter(r -> !now.containsKey(r.id())).toList();
    List<String> header = new ArrayList<>();
    if (!before.name().equals(after.name())) {
      header.add("name: " + before.name() + " -> " + after.name());
    }
    if (!Objects.equals(before.description(), after.description())) header.add("description changed");
    if (before.onRegression() != after.onRegression()) {
      header.add("on_regression: " + before.onRegression().label() + " -> " + after.onRegression().label());
    }
    if (before.approvals() != after.approvals()) {
      header.add("approvals: " + before.approvals() + " -> " + after.approvals());
    }
    return new PolicyDiff(added, removed, changed, header);
  }

  private static Map<String, Rule> byId(Policy p) {
    Map<String, Rule> out = new LinkedHashMap<>();
    for (Rule r : p.rules()) out.put(r.id(), r);
    return out;
  }
}
