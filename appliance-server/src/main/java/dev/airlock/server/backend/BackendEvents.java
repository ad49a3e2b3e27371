package dev.airlock.server.backend;

/** What the supervisor reports as it works, for whoever counts it (the gateway's metrics). */
public interface BackendEvents {
  /** A replica of the model was restarted after it died or failed its health checks. */
  void backendRestarted(String modelId);
}
