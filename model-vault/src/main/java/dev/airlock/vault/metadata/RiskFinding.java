package dev.airlock.vault.metadata;

import java.util.Objects;

/** A file that can run code when the model is loaded, and why Airlock thinks so. */
public record RiskFinding(RiskKind kind, String file, String reason) {
  public RiskFinding {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(reason, "reason");
  }
}
