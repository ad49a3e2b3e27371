package dev.airlock.vault.metadata;

import java.util.Objects;

/** One value from a model card's front matter (a list yields one field per item), with where. */
public record CardField(String key, String value, Evidence evidence) {
  public CardField {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(evidence, "evidence");
  }
}
