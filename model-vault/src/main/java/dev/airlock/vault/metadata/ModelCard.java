package dev.airlock.vault.metadata;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The YAML front matter of a model card (README.md), as Hugging Face defines it: every top-level
 * key whose value is a scalar or a list of scalars, each value with the line it was written on.
 * Nested mappings (e.g. {@code model-index}) are not kept.
 *
 * @param file the card's name as reported in evidence
 * @param hasFrontMatter whether the card starts with a {@code ---} block at all
 * @param fields values by key, in the order written; a list gives several values
 */
public record ModelCard(String file, boolean hasFrontMatter, Map<String, List<CardField>> fields) {
  public ModelCard {
    Map<String, List<CardField>> copy = new LinkedHashMap<>();
    fields.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    fields = Collections.unmodifiableMap(copy);
  }

  /** A card without front matter: it declares nothing. */
  public static ModelCard empty(String file) {
    return new ModelCard(file, false, Map.of());
  }

  /** All values of {@code key} (empty if absent). */
  public List<CardField> values(String key) {
    return fields.getOrDefault(key, List.of());
  }

  /** The first value of {@code key}. */
  public Optional<CardField> value(String key) {
    return values(key).stream().findFirst();
  }

  /** {@code license}: an SPDX id in lower case, or {@code other} with license_name / license_link. */
  public Optional<CardField> license() {
    return value("license");
  }

  public Optional<CardField> licenseName() {
    return value("license_name");
  }

  public Optional<CardField> licenseLink() {
    return value("license_link");
  }

  /** {@code base_model}: one model id or a list of them (a merge has several). */
  public List<CardField> baseModels() {
    return values("base_model");
  }

  /** {@code base_model_relation}: adapter, merge, quantized or finetune. */
  public Optional<CardField> baseModelRelation() {
    return value("base_model_relation");
  }

  public Optional<CardField> pipelineTag() {
    return value("pipeline_tag");
  }

  public List<CardField> languages() {
    return values("language");
  }

  public List<CardField> tags() {
    return values("tags");
  }
}
