package dev.airlock.vault.catalog;

import java.time.Instant;
import java.util.Optional;

/**
 * One lifecycle transition of a model version, returned to the caller so that it can be audited
 * (the vault itself knows nothing of the audit log). An import is the event with no
 * {@code from} state.
 */
public record LifecycleEvent(
    String eventId,
    String versionId,
    String modelName,
    String modelVersion,
    Optional<LifecycleState> from,
    LifecycleState to,
    String actor,
    Optional<String> reason,
    Instant at) {}
