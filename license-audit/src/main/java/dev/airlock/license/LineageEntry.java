package dev.airlock.license;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One ancestor of the scanned model.
 *
 * @param model the ancestor as named where it was found (e.g. {@code meta-llama/Llama-3.1-8B})
 * @param relation how the scanned model derives from it
 * @param family the catalog family it resolved to; empty when it is not a known family
 * @param evidence where the ancestor was named (card, SBOM relationship, GGUF key)
 */
public record LineageEntry(
    String model, BaseModelRelation relation, Optional<ModelFamily> family, List<Evidence> evidence) {
  public LineageEntry {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(relation, "relation");
    Objects.requireNonNull(family, "family");
    evidence = List.copyOf(evidence);
  }
}
