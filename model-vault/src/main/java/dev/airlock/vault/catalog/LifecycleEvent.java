package dev.airlock.vault.catalog;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
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
    Instant at) {

  /** The transition as every audit record of one names it: the version, and the states from and to. */
  public Map<String, Object> auditDetails() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("catalogVersionId", versionId);
    d.put("catalogModel", modelName);
    d.put("catalogVersion", modelVersion);
    d.put("from", from.map(Enum::name).orElse(null));
    d.put("to", to.name());
    return d;
  }
}
