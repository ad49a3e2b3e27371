package dev.airlock.license;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.spdx.core.InvalidSPDXAnalysisException;
import org.spdx.library.LicenseInfoFactory;
import org.spdx.library.model.v2.license.AnyLicenseInfo;
import org.spdx.library.model.v2.license.InvalidLicenseExpression;
import org.spdx.library.model.v2.license.InvalidLicenseStringException;

/**
 * Turns a declared license (a card's {@code license:}, an SBOM expression, GGUF
 * {@code general.license}) into licenses Airlock knows: catalog entries first (they know the
 * spellings model hubs use, such as {@code llama3.1}), then SPDX ids and expressions through SPDX
 * Java Tools.
 */
final class LicenseResolver {
  /** Operators and parentheses that make a declaration an SPDX expression rather than one id. */
  private static final Pattern EXPRESSION = Pattern.compile("(?i)\\s(AND|OR|WITH)\\s|[()]");
  private static final Pattern LICENSE_ID = Pattern.compile("LicenseRef-[A-Za-z0-9.\\-]+|[A-Za-z0-9][A-Za-z0-9.+\\-]*");

  /** What a declaration resolved to. */
  sealed interface Resolved {
    /** One or more licenses; {@code choice} when an SPDX OR lets the user pick. */
    record Licenses(List<ResolvedLicense> licenses, boolean choice) implements Resolved {}

    /** The declaration does not parse as a license id or expression. */
    record Invalid(String message) implements Resolved {}

    /** Parses, but names a license neither the SPDX list nor Airlock's catalog knows. */
    record UnknownIds(List<String> ids) implements Resolved {}

    /** Explicitly no license information ({@code NOASSERTION}, {@code unknown}). */
    record NoAssertion() implements Resolved {}
  }

  /** A license Airlock can name and categorise. */
  record ResolvedLicense(String id, String name, LicenseCategory category, Optional<KnownLicense> known) {}

  private final LicenseCatalog catalog;

  LicenseResolver(LicenseCatalog catalog) {
    this.catalog = catalog;
  }

  Resolved resolve(String declared) {
    String d = declared.strip();
    if (d.isEmpty() || d.equalsIgnoreCase("NOASSERTION") || d.equalsIgnoreCase("unknown") || d.equalsIgnoreCase("NONE")) {
      return new Resolved.NoAssertion();
    }
    Optional<ResolvedLicense> single = single(d);
    if (single.isPresent()) return new Resolved.Licenses(List.of(single.get()), false);
    if (!EXPRESSION.matcher(" " + d + " ").find() && !d.startsWith("LicenseRef-") && !LICENSE_ID.matcher(d).matches()) {
      return new Resolved.Invalid("'" + d + "' is not an SPDX license id or expression");
    }
    AnyLicenseInfo parsed;
    try {
      parsed = LicenseInfoFactory.parseSPDXLicenseStringCompatV2(d);
    } catch (InvalidLicenseStringException | RuntimeException e) {
      return new Resolved.Invalid(e.getMessage() == null ? "'" + d + "' does not parse" : e.getMessage());
    } catch (InvalidSPDXAnalysisException e) {
      return new Resolved.Invalid(e.getMessage());
    }
    if (parsed instanceof InvalidLicenseExpression invalid) {
      String message;
      try {
        message = invalid.getMessage();
      } catch (InvalidSPDXAnalysisException e) {
        message = "does not parse";
      }
      return new Resolved.Invalid("'" + d + "': " + message);
    }
    // The expression parsed: name each license in it.
    Set<String> ids = new LinkedHashSet<>();
    var m = LICENSE_ID.matcher(d.replaceAll("(?i)\\b(AND|OR|WITH)\\b", " "));
    while (m.find()) ids.add(m.group());
    List<ResolvedLicense> found = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (String id : ids) {
      if (LicenseInfoFactory.isSpdxListedExceptionId(id)) continue;
      single(id).ifPresentOrElse(found::add, () -> unknown.add(id));
    }
    if (!unknown.isEmpty()) return new Resolved.UnknownIds(unknown);
    boolean choice = Pattern.compile("(?i)\\sOR\\s").matcher(d).find();
    return new Resolved.Licenses(found, choice);
  }

  /** One license by catalog id or alias, or by SPDX id in any case. */
  Optional<ResolvedLicense> single(String idOrName) {
    Optional<KnownLicense> known = catalog.byName(idOrName);
    if (known.isPresent()) return known.map(this::of);
    Optional<String> listed = SpdxLicenseList.listedId(idOrName);
    if (listed.isPresent()) {
      String id = listed.get();
      Optional<KnownLicense> entry = catalog.byId(id);
      if (entry.isPresent()) return entry.map(this::of);
      return Optional.of(new ResolvedLicense(id, SpdxLicenseList.name(id).orElse(id),
          catalog.spdxCategory(id).orElse(LicenseCategory.UNKNOWN), Optional.empty()));
    }
    return Optional.empty();
  }

  /** A catalog entry named by a link (a card's {@code license_link}). */
  Optional<ResolvedLicense> byLink(String url) {
    return catalog.byLink(url).map(this::of);
  }

  ResolvedLicense of(KnownLicense k) {
    return new ResolvedLicense(k.id(), k.name(), k.category(), Optional.of(k));
  }
}
