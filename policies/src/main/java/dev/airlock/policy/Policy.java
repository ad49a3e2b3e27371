package dev.airlock.policy;

import java.util.List;

/**
 * A validated policy. Read one with {@link PolicyFile#parse} or {@link PolicyFile#pack}; the
 * source text is kept so that a stored version is exactly what was validated.
 *
 * @param approvals how many different DPOs must approve a model this policy lets through
 *     ({@value #MIN_APPROVALS}..{@value #MAX_APPROVALS}; {@value #DEFAULT_APPROVALS} when the
 *     file does not say)
 * @param onRegression what becomes of an approved or active model this policy, once activated,
 *     judges worse than the policy it replaces ({@code on_regression:}; {@link
 *     OnRegression#SUSPEND} when the file does not say)
 */
public record Policy(String name, String description, int approvals, OnRegression onRegression, List<Rule> rules,
                     String source) {
  /** What activating the policy does to an approved model it judges worse. */
  public enum OnRegression {
    /** It stops being served at once and goes back to the DPOs' queue. */
    SUSPEND("suspend"),
    /** It stays served until a DPO decides, with a recorded justification, to keep or suspend it. */
    KEEP_PENDING_DECISION("keep-pending-decision");

    private final String label;

    OnRegression(String label) {
      this.label = label;
    }

    /** As written in a policy file. */
    public String label() {
      return label;
    }

    static OnRegression parse(String label) {
      for (OnRegression o : values()) {
        if (o.label.equals(label)) return o;
      }
      throw new IllegalArgumentException("on_regression is suspend or keep-pending-decision; found '" + label + "'");
    }
  }

  /** One person's approval is the least any model needs. */
  public static final int MIN_APPROVALS = 1;
  /** More signatures than an organization has DPOs would block every model; five is plenty. */
  public static final int MAX_APPROVALS = 5;
  /** Without {@code approvals:} in the file, one DPO decides. */
  public static final int DEFAULT_APPROVALS = 1;

  public Policy {
    if (approvals < MIN_APPROVALS || approvals > MAX_APPROVALS) {
      throw new IllegalArgumentException("policy " + name + ": approvals must be between "
          + MIN_APPROVALS + " and " + MAX_APPROVALS + ", found " + approvals);
    }
    rules = List.copyOf(rules);
  }
}
