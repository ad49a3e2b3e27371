package dev.airlock.vault.catalog;

import java.time.Instant;
import java.util.Optional;

/** One version of a model in the vault, as the catalog holds it. */
public record ModelVersion(
    String id,
    String modelName,
    String version,
    LifecycleState state,
    long totalBytes,
    Provenance provenance,
    Optional<Flag> flag) {

  /** Set when a key that vouched for this model was revoked after it came in. */
  public record Flag(Instant at, String reason) {}
}
