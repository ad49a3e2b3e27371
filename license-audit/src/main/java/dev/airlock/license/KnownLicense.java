package dev.airlock.license;

import java.util.List;
import java.util.Optional;

/**
 * One entry of Airlock's license knowledge base: what a license is and what it requires, each term
 * with the clause it comes from.
 */
record KnownLicense(
    String id,
    String name,
    LicenseCategory category,
    Citation categoryReason,
    boolean spdxListed,
    boolean textShipped,
    List<String> aliases,
    List<String> links,
    List<KnownText> texts,
    List<Obligation> obligations,
    List<Threshold> thresholds,
    List<FieldOfUseRestriction> fieldOfUse,
    List<TerritorialRestriction> territorial,
    Optional<GoverningLaw> governingLaw) {

  /** A license text Airlock ships (or reads from the SPDX list), and which part of the license it is. */
  record KnownText(String licenseId, String file, Part part, String text, LicenseText normalized) {}

  enum Part {
    LICENSE,
    ACCEPTABLE_USE_POLICY;

    String describe() {
      return this == LICENSE ? "license" : "acceptable use policy";
    }
  }
}
