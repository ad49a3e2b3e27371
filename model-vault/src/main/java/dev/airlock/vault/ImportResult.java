package dev.airlock.vault;

import dev.airlock.vault.catalog.LifecycleEvent;
import dev.airlock.vault.catalog.ModelVersion;
import java.util.Optional;

/**
 * What {@link Vault#importBundle} did. {@code event} is present when something changed (the
 * caller audits it); a bundle already in the vault changes nothing.
 */
public record ImportResult(Outcome outcome, ModelVersion version, int files, long bytes,
    int newBlobs, Optional<LifecycleEvent> event) {
  public enum Outcome {
    IMPORTED,
    /** The same bundle (same id, same signed manifest) was imported before. */
    ALREADY_PRESENT
  }
}
