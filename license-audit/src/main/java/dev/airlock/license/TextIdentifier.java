package dev.airlock.license;

import java.util.List;

/**
 * Names the license a text is: first against Airlock's own catalog texts (model licenses the SPDX
 * list lacks), then against the SPDX list. A text that is close to a known one but not the same is
 * {@link Identification.Similar}: it is never taken as the known license.
 */
final class TextIdentifier {
  /**
   * Below this word-triple similarity a text is unrelated; above it but short of identical, it is a
   * modified copy a person must read. Edited licenses seen in the wild sit well above 0.5.
   */
  static final double SIMILAR_FLOOR = 0.5;

  /** How many differing passages to report: enough to show the kind of change. */
  private static final int DIFFERENCES = 3;

  sealed interface Identification {
    /** The same words as a known text (or, for SPDX-listed licenses, matching its template). */
    record Identified(String licenseId, String name, KnownLicense.Part part, String via) implements Identification {}

    record Similar(String licenseId, String name, KnownLicense.Part part, double score, List<String> differences)
        implements Identification {}

    record Unknown(double bestScore) implements Identification {}
  }

  private final LicenseCatalog catalog;

  TextIdentifier(LicenseCatalog catalog) {
    this.catalog = catalog;
  }

  Identification identify(String text) {
    LicenseText normalized = LicenseText.of(text);
    KnownLicense.KnownText closest = null;
    double closestScore = 0;
    for (KnownLicense.KnownText known : catalog.texts()) {
      if (known.normalized().sameWordsAs(normalized)) {
        // Shipped SPDX-listed texts (Apache-2.0) are confirmed by SPDX's matcher below instead.
        if (!catalog.byId(known.licenseId()).map(KnownLicense::spdxListed).orElse(false)) {
          String via = known.origin().startsWith("ScanCode") ? "Airlock license catalog (" + known.origin() + " text)" : "Airlock license catalog";
          return new Identification.Identified(known.licenseId(), nameOf(known.licenseId()), known.part(), via);
        }
      }
      double s = known.normalized().similarity(normalized);
      if (s > closestScore) {
        closest = known;
        closestScore = s;
      }
    }
    SpdxLicenseList.Match spdx = SpdxLicenseList.match(text, normalized);
    if (spdx instanceof SpdxLicenseList.Match.Identified id) {
      return new Identification.Identified(id.id(), id.name(), KnownLicense.Part.LICENSE, "SPDX License List " + SpdxLicenseList.version());
    }
    if (spdx instanceof SpdxLicenseList.Match.Similar s && s.similarity() > closestScore && s.similarity() >= SIMILAR_FLOOR) {
      return new Identification.Similar(s.id(), s.name(), KnownLicense.Part.LICENSE, s.similarity(),
          LicenseText.differences(text, s.text(), DIFFERENCES));
    }
    if (closest != null && closestScore >= SIMILAR_FLOOR) {
      return new Identification.Similar(closest.licenseId(), nameOf(closest.licenseId()), closest.part(), closestScore,
          LicenseText.differences(text, closest.text(), DIFFERENCES));
    }
    return new Identification.Unknown(closestScore);
  }

  private String nameOf(String id) {
    return catalog.byId(id).map(KnownLicense::name).orElse(id);
  }
}
