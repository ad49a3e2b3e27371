package dev.airlock.vault.metadata;

import java.util.Objects;

/** Whether a model's estimated memory fits the configured GPUs, and why. */
public record HardwareFit(Verdict verdict, long requiredBytes, long usableBytes, String reason) {
  public enum Verdict {
    FITS,
    DOES_NOT_FIT,
    /** Not enough is known (no GPUs configured, or the model's dimensions are missing). */
    UNKNOWN
  }

  public HardwareFit {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(reason, "reason");
  }

  public static HardwareFit unknown(String reason) {
    return new HardwareFit(Verdict.UNKNOWN, 0, 0, reason);
  }
}
