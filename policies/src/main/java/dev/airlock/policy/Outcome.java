package dev.airlock.policy;

/** What one rule concluded about one model. */
public enum Outcome {
  /** The rule looked and found nothing to object to. */
  PASS,
  /** The rule matched and explicitly allows (e.g. an allowed license). */
  ALLOW,
  /** The rule matched and asks a person to decide. */
  REVIEW,
  /** The rule matched and forbids the model. */
  DENY,
  /** The rule cannot apply to what was checked (the reason says why); it counts as no objection. */
  NOT_APPLICABLE;

  /** This outcome's weight in the overall verdict. */
  public Verdict contribution() {
    return switch (this) {
      case PASS, ALLOW, NOT_APPLICABLE -> Verdict.ALLOW;
      case REVIEW -> Verdict.REVIEW;
      case DENY -> Verdict.DENY;
    };
  }

  static Outcome of(Verdict verdict) {
    return switch (verdict) {
      case ALLOW -> ALLOW;
      case REVIEW -> REVIEW;
      case DENY -> DENY;
    };
  }
}
