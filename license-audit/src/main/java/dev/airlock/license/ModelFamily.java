package dev.airlock.license;

import java.util.Objects;

/**
 * A well-known model family from Airlock's shipped catalog.
 *
 * @param id catalog id, e.g. {@code llama-3.1}
 * @param name display name, e.g. {@code Llama 3.1}
 * @param publisher who releases it, e.g. {@code Meta}
 * @param originCountry ISO 3166-1 alpha-2 code of the publisher's home country, e.g. {@code US}
 * @param licenseId the license its weights are released under
 */
public record ModelFamily(String id, String name, String publisher, String originCountry, String licenseId) {
  public ModelFamily {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(publisher, "publisher");
    Objects.requireNonNull(originCountry, "originCountry");
    Objects.requireNonNull(licenseId, "licenseId");
  }
}
