package dev.airlock.vault.metadata;

import java.util.Objects;

/**
 * A license statement the model makes about itself: the card's {@code license},
 * {@code license_name} or {@code license_link}, or a GGUF {@code general.license},
 * {@code general.license.name} or {@code general.license.link}.
 *
 * @param key the key as written ({@code license}, {@code general.license}, ...)
 */
public record LicenseField(String key, String value, Evidence evidence) {
  public LicenseField {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(evidence, "evidence");
  }
}
