package dev.airlock.license;

/** How much a finding matters to the person approving the model. */
public enum Severity {
  /** A fact worth showing: a license declared or identified, a base model resolved. */
  INFO,
  /** Something a person should look at before relying on the report. */
  WARNING,
  /** The facts are missing, broken or contradict each other. */
  ERROR;

  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
