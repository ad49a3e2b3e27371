package dev.airlock.server.backend;

import java.util.Optional;

/**
 * A model activated on a backend: its id (the name the backend serves it under), where the server
 * laid its files out from the vault (a directory for vLLM, its GGUF file for the embedded engine,
 * empty for an external server), how it is served, and the vault catalog version it serves.
 */
public record ServedModel(String id, String servedFrom, BackendSpec backend, Optional<String> catalogVersionId) {
  public ServedModel(String id, String servedFrom, BackendSpec backend) {
    this(id, servedFrom, backend, Optional.empty());
  }
}
