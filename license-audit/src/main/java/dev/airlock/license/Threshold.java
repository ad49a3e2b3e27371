package dev.airlock.license;

import java.util.Locale;
import java.util.Objects;

/**
 * A size limit above which the license's grant stops applying (a separate license is needed).
 *
 * @param licenseId the license that sets it
 * @param metric what is counted
 * @param limit the grant holds up to and including this number; above it, {@code consequence}
 * @param consequence what happens above the limit, in plain words
 * @param citation the clause it comes from
 */
public record Threshold(String licenseId, Metric metric, long limit, String consequence, Citation citation) {
  public enum Metric {
    /** Monthly active users of the licensee's (or its affiliates') products or services. */
    MONTHLY_ACTIVE_USERS;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Threshold {
    Objects.requireNonNull(licenseId, "licenseId");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(consequence, "consequence");
    Objects.requireNonNull(citation, "citation");
  }
}
