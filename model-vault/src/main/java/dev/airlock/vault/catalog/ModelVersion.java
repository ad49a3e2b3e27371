package dev.airlock.vault.catalog;

import java.time.Instant;
import java.util.Optional;

/**
 * One version of a model in the vault, as the catalog holds it: a verified bundle, or a registered
 * external server ({@code external} present) whose weights the vault does not hold.
 */
public record ModelVersion(
    String id,
    String modelName,
    String version,
    LifecycleState state,
    long totalBytes,
    Provenance provenance,
    Optional<Flag> flag,
    Optional<ExternalServer> external) {

  public boolean isExternal() {
    return external.isPresent();
  }

  /** Set when a key that vouched for this model was revoked after it came in. */
  public record Flag(Instant at, String reason) {}
}
