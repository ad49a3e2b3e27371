package dev.airlock.server.review;

import dev.airlock.vault.catalog.LifecycleEvent;
import dev.airlock.vault.catalog.ModelFacts;
import dev.airlock.vault.catalog.ModelVersion;
import java.util.List;
import java.util.Optional;

/**
 * What a review page shows: the version with its provenance, the metadata the vault learned at
 * import, the current review, and the decisions taken on it so far.
 *
 * @param approvals distinct DPOs who approved the current review
 * @param history the version's lifecycle events, oldest first
 */
public record ReviewDetail(
    ModelVersion version,
    Optional<ModelFacts> metadata,
    Review review,
    List<Decision> decisions,
    int approvals,
    List<LifecycleEvent> history) {
  public ReviewDetail {
    decisions = List.copyOf(decisions);
    history = List.copyOf(history);
  }
}
