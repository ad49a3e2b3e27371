package dev.airlock.license;

import java.util.Objects;

/**
 * Rights the license withholds from people or entities in a territory.
 *
 * @param licenseId the license (or its acceptable use policy) that withholds them
 * @param territory where, e.g. {@code EU}
 * @param scope which rights or models, e.g. {@code multimodal-models}
 * @param description the clause in plain words
 * @param citation the clause it comes from
 */
public record TerritorialRestriction(
    String licenseId, String territory, String scope, String description, Citation citation) {
  public TerritorialRestriction {
    Objects.requireNonNull(licenseId, "licenseId");
    Objects.requireNonNull(territory, "territory");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(citation, "citation");
  }
}
