package dev.airlock.server.backend;

/** A model activated on a backend: its id (the name vLLM serves it under), where its weights are, how it is served. */
public record ServedModel(String id, String vaultPath, BackendSpec backend) {}
