package dev.airlock.server.backend;

import java.net.URI;
import java.util.List;

/**
 * How an active model is served: a supervised vLLM, the embedded llama.cpp engine (also
 * supervised), or an OpenAI-compatible server already running.
 */
public sealed interface BackendSpec {
  /**
   * vLLM started and supervised by Airlock: {@code <airlock.gateway.vllm-executable> serve
   * <servable directory> ...} plus the operator's engine flags, already checked against
   * {@link VllmFlags}' allowlist, {@code replicas} processes each on its own loopback port.
   */
  record Vllm(List<String> extraArgs, int replicas) implements BackendSpec {
    public Vllm {
      extraArgs = List.copyOf(extraArgs);
    }
  }

  /**
   * The embedded CPU engine ({@code dev.airlock.server.engine}), {@code replicas} child processes
   * each serving the model's GGUF file on its own loopback port.
   *
   * @param threads CPU threads per replica
   * @param ctxSize context window in tokens (prompt and completion together)
   * @param embeddings serve {@code /v1/embeddings} instead of chat and completions
   */
  record Embedded(int threads, int ctxSize, boolean embeddings, int replicas) implements BackendSpec {}

  /** A registered external server Airlock does not start, at the allowlisted addresses its catalog entry names. */
  record External(List<URI> endpoints) implements BackendSpec {
    public External {
      endpoints = List.copyOf(endpoints);
    }
  }

  /** The kind's name in the admin API and the database: {@code vllm}, {@code embedded} or {@code external}. */
  static String kind(BackendSpec spec) {
    return switch (spec) {
      case Vllm v -> "vllm";
      case Embedded e -> "embedded";
      case External e -> "external";
    };
  }
}
