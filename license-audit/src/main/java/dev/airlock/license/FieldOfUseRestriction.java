package dev.airlock.license;

import java.util.Objects;

/**
 * A use the license forbids (e.g. military use).
 *
 * @param licenseId the license that forbids it
 * @param field a short stable key for the field, e.g. {@code military}, {@code medical-advice}
 * @param description the restriction in plain words
 * @param citation the clause it comes from
 */
public record FieldOfUseRestriction(String licenseId, String field, String description, Citation citation) {
  public FieldOfUseRestriction {
    Objects.requireNonNull(licenseId, "licenseId");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(citation, "citation");
  }
}
