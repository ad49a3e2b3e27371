package dev.airlock.license;

import java.util.List;
import java.util.Optional;

/**
 * One entry of Airlock's license knowledge base: what a license is and what it requires, each term
 * with the clause it comes from.
 *
 * <p>{@code termsReviewed} is false for a license Airlock identifies (it ships the text, e.g. from
 * ScanCode's LicenseDB) but whose terms nobody has recorded yet: it has no obligations, its
 * category is not Airlock's judgement, and the report says a person must read it.
 */
record KnownLicense(
    String id,
    String name,
    LicenseCategory category,
    Citation categoryReason,
    boolean spdxListed,
    boolean textShipped,
    boolean termsReviewed,
    Optional<ScanCodeEntry> scancode,
    List<String> aliases,
    List<String> links,
    List<KnownText> texts,
    List<Obligation> obligations,
    List<Threshold> thresholds,
    List<FieldOfUseRestriction> fieldOfUse,
    List<TerritorialRestriction> territorial,
    Optional<GoverningLaw> governingLaw) {

  /**
   * A license text Airlock ships (or reads from the SPDX list), which part of the license it is,
   * and where the copy comes from (e.g. "ScanCode LicenseDB llama-3.3-license-2024").
   */
  record KnownText(String licenseId, String file, Part part, String text, LicenseText normalized, String origin) {}

  /** The license as ScanCode's LicenseDB names and classifies it (its category, not Airlock's). */
  record ScanCodeEntry(String key, String name, String category) {}

  enum Part {
    LICENSE,
    ACCEPTABLE_USE_POLICY;

    String describe() {
      return this == LICENSE ? "license" : "acceptable use policy";
    }
  }
}
