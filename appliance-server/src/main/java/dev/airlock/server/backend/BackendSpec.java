package dev.airlock.server.backend;

import java.net.URI;
import java.util.List;

/** How an active model is served: a supervised vLLM, or an OpenAI-compatible server already running. */
public sealed interface BackendSpec {
  /**
   * vLLM started and supervised by Airlock: {@code executable serve <vault path> ...} plus the
   * operator's extra engine flags (tensor parallelism, quantization, max model length, GPU memory
   * share), {@code replicas} processes each on its own loopback port.
   */
  record Vllm(String executable, List<String> extraArgs, int replicas) implements BackendSpec {
    public Vllm {
      extraArgs = List.copyOf(extraArgs);
    }
  }

  /** A server Airlock does not start, at addresses the operator allowlisted. */
  record External(List<URI> endpoints) implements BackendSpec {
    public External {
      endpoints = List.copyOf(endpoints);
    }
  }
}
