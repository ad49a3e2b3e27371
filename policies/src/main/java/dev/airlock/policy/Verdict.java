package dev.airlock.policy;

/** The outcome of a policy: ordered from best to worst, so combining rules takes the worst. */
public enum Verdict {
  ALLOW,
  REVIEW,
  DENY;

  /** The stricter of two verdicts: a single DENY rule denies the model. */
  public Verdict and(Verdict other) {
    return compareTo(other) >= 0 ? this : other;
  }

  /** The {@code airlock policy check} exit code for this verdict. */
  public int exitCode() {
    return switch (this) {
      case ALLOW -> 0;
      case REVIEW -> 10;
      case DENY -> 20;
    };
  }
}
