package dev.airlock.license;

import java.util.Objects;

/**
 * The clause of a license text a fact comes from.
 *
 * @param licenseId the license whose text is cited
 * @param clause where in that text, as its authors number it (e.g. {@code "Section 2"})
 * @param quote the words of the clause, verbatim or shortened with an ellipsis
 */
public record Citation(String licenseId, String clause, String quote) {
  public Citation {
    Objects.requireNonNull(licenseId, "licenseId");
    Objects.requireNonNull(clause, "clause");
    Objects.requireNonNull(quote, "quote");
  }
}
