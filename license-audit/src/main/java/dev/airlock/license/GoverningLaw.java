package dev.airlock.license;

import java.util.Objects;

/**
 * The law a license is governed by and where disputes go.
 *
 * @param licenseId the license
 * @param jurisdiction e.g. {@code State of California, USA}
 * @param citation the clause it comes from
 */
public record GoverningLaw(String licenseId, String jurisdiction, Citation citation) {
  public GoverningLaw {
    Objects.requireNonNull(licenseId, "licenseId");
    Objects.requireNonNull(jurisdiction, "jurisdiction");
    Objects.requireNonNull(citation, "citation");
  }
}
