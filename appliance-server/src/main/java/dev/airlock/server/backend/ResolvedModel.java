package dev.airlock.server.backend;

import java.util.Optional;

/** What a requested name resolved to: the model, and the alias used to reach it, if any. */
public record ResolvedModel(ServedModel model, Optional<String> alias) {}
