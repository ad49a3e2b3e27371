package dev.airlock.server.backend;

import java.util.Optional;

/**
 * A model activated on a backend: its id (the name the backend serves it under), where its weights
 * are (a directory for vLLM, a GGUF file for the embedded engine), how it is served, and the vault
 * catalog version it was activated from, if any.
 */
public record ServedModel(String id, String vaultPath, BackendSpec backend, Optional<String> catalogVersionId) {
  public ServedModel(String id, String vaultPath, BackendSpec backend) {
    this(id, vaultPath, backend, Optional.empty());
  }
}
