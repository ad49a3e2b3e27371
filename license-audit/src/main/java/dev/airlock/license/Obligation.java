package dev.airlock.license;

import java.util.Locale;
import java.util.Objects;

/**
 * Something a license requires of whoever uses or redistributes the model.
 *
 * @param licenseId the license that imposes it
 * @param kind what sort of duty it is
 * @param description the duty in plain words
 * @param citation the clause it comes from
 */
public record Obligation(String licenseId, Kind kind, String description, Citation citation) {
  public enum Kind {
    /** Keep a copy of the license with any redistribution. */
    LICENSE_COPY,
    /** Keep or add attribution notices (NOTICE file, "Built with ..." display). */
    ATTRIBUTION,
    /** Name derivatives with a required prefix (e.g. "Llama"). */
    NAME_PREFIX,
    /** Pass the license's use restrictions on to everyone downstream. */
    USE_RESTRICTION_FLOW_DOWN,
    /** Comply with an acceptable or prohibited use policy incorporated by reference. */
    ACCEPTABLE_USE_POLICY,
    /** Mark modified files or state changes. */
    STATE_CHANGES,
    /** Use only for non-commercial purposes. */
    NON_COMMERCIAL_USE,
    /** Share derivatives under the same license. */
    SHARE_ALIKE;

    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  public Obligation {
    Objects.requireNonNull(licenseId, "licenseId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(citation, "citation");
  }
}
