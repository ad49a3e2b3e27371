package dev.airlock.server.gateway;

/** How an inference request ended, as recorded in its {@code inference.response} audit record. */
public enum Outcome {
  COMPLETED("completed"),
  CLIENT_CANCELLED("client-cancelled"),
  BACKEND_ERROR("backend-error");

  private final String label;

  Outcome(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
