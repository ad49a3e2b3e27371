package dev.airlock.license;

import java.util.List;
import java.util.Objects;

/** One fact or problem found while scanning, with what it rests on. */
public record Finding(Severity severity, FindingCode code, String message, List<Evidence> evidence) {
  public Finding {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    evidence = List.copyOf(evidence);
  }

  public Finding(Severity severity, FindingCode code, String message, Evidence evidence) {
    this(severity, code, message, List.of(evidence));
  }
}
