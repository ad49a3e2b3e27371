package dev.airlock.policy;

/**
 * One rule of a policy, readable by a compliance person: what it checks in plain words, the
 * verdict when it applies, and how to fix a model it stops.
 *
 * @param line where the rule starts in its policy file (1-based), for messages about it
 */
public record Rule(
    String id, String description, RuleKind kind, Verdict verdict, String howToFix, int line) {}
