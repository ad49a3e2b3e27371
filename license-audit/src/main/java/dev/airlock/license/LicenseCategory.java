package dev.airlock.license;

/** How a license treats the people who use the model; the vocabulary policies are written in. */
public enum LicenseCategory {
  PERMISSIVE,
  WEAK_COPYLEFT,
  COPYLEFT,
  /** Weights are available, with use restrictions, thresholds or acceptable-use policies. */
  OPEN_WEIGHTS_RESTRICTED,
  NON_COMMERCIAL,
  PROPRIETARY,
  UNKNOWN;

  /** The spelling used in YAML and JSON: lower case with dashes, e.g. {@code open-weights-restricted}. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  public static LicenseCategory fromId(String id) {
    for (LicenseCategory c : values()) {
      if (c.id().equals(id)) return c;
    }
    throw new IllegalArgumentException(
        "unknown license category '" + id + "'; expected one of " + java.util.Arrays.stream(values()).map(LicenseCategory::id).toList());
  }
}
