package dev.airlock.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A policy file that cannot be used, with every problem found and where. */
public final class InvalidPolicyException extends Exception {
  private final String source;
  private final List<PolicyProblem> problems;

  InvalidPolicyException(String source, List<PolicyProblem> problems) {
    super(
        source + " is not a valid Airlock policy (" + problems.size() + " problem"
            + (problems.size() == 1 ? "" : "s") + "; see docs/policies.md):\n"
            + problems.stream().map(p -> "  " + source + ":" + p).collect(Collectors.joining("\n")));
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  /** The file name or pack the policy came from. */
  public String source() {
    return source;
  }

  /** Sorted by line and column. */
  public List<PolicyProblem> problems() {
    return problems;
  }
}
