package dev.airlock.policy;

import java.util.List;
import java.util.Optional;

/**
 * One line of a verdict's trace: a rule, what it concluded, why in plain words, and the evidence
 * it used.
 *
 * @param howToFix the rule's advice, present when the rule objected (REVIEW or DENY)
 */
public record RuleResult(
    String id,
    String kind,
    String description,
    Outcome outcome,
    String reason,
    List<String> evidence,
    Optional<String> howToFix) {
  public RuleResult {
    evidence = List.copyOf(evidence);
  }
}
