package dev.airlock.policy;

import java.util.List;

/**
 * A validated policy. Read one with {@link PolicyFile#parse} or {@link PolicyFile#pack}; the
 * source text is kept so that a stored version is exactly what was validated.
 */
public record Policy(String name, String description, List<Rule> rules, String source) {
  public Policy {
    rules = List.copyOf(rules);
  }
}
