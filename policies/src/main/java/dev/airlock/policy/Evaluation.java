package dev.airlock.policy;

import java.util.List;

/**
 * A policy's verdict on one model, with the full trace: every rule in policy order, its outcome,
 * reason and evidence. The same facts and policy always give an equal Evaluation.
 *
 * @param decidingRules the ids of the rules whose outcome is the verdict (for ALLOW: the rules
 *     that explicitly allowed, possibly none)
 * @param obligations what using the model obliges the organization to do, inherited ones included
 * @param notes things the reader must know to read the verdict right (e.g. a bare directory has
 *     no transfer signature)
 * @param requiredApprovals how many different DPOs the policy asks to approve the model (a DENY
 *     verdict is never approved, whatever this says)
 */
public record Evaluation(
    String policy,
    PolicyFacts.Subject subject,
    Verdict verdict,
    List<String> decidingRules,
    List<RuleResult> rules,
    List<PolicyFacts.Obligation> obligations,
    List<String> notes,
    int requiredApprovals) {
  public Evaluation {
    decidingRules = List.copyOf(decidingRules);
    rules = List.copyOf(rules);
    obligations = List.copyOf(obligations);
    notes = List.copyOf(notes);
  }

  /** The trace line of one rule. */
  public RuleResult rule(String id) {
    return rules.stream()
        .filter(r -> r.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no rule '" + id + "' in policy " + policy));
  }
}
