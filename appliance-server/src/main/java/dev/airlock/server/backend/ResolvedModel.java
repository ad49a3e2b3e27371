package dev.airlock.server.backend;

import java.util.Optional;

/**
 * What a requested name resolved to: the model, the alias used to reach it (if any), and the
 * receipt its answers' records carry.
 */
public record ResolvedModel(ServedModel model, Optional<String> alias, Optional<Receipt> receipt) {
  public ResolvedModel(ServedModel model, Optional<String> alias) {
    this(model, alias, Optional.empty());
  }
}
