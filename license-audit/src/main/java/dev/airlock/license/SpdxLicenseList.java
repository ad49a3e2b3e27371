package dev.airlock.license;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.spdx.core.InvalidSPDXAnalysisException;
import org.spdx.library.LicenseInfoFactory;
import org.spdx.library.ListedLicenses;
import org.spdx.library.model.v3_0_1.expandedlicensing.ListedLicense;
import org.spdx.utility.compare.CompareTemplateOutputHandler.DifferenceDescription;
import org.spdx.utility.compare.LicenseCompareHelper;
import org.spdx.utility.compare.SpdxCompareException;

/**
 * The SPDX license list as bundled with SPDX Java Tools, used strictly offline.
 *
 * <p>Identifying a text against the whole list with SPDX tools takes seconds per file, so
 * candidates are picked first by word-triple similarity over an index built once per process, and
 * only the few best are confirmed with SPDX's own template matcher.
 */
final class SpdxLicenseList {
  /** How many candidates SPDX's template matcher confirms: the best few carry all real matches. */
  private static final int CANDIDATES = 3;
  /** Below this word-triple similarity a listed license is not worth a template comparison. */
  private static final double CANDIDATE_FLOOR = 0.5;

  record Candidate(String id, String name, String text, double similarity) {}

  /** The outcome of matching a text against the list. */
  sealed interface Match {
    record Identified(String id, String name, double similarity) implements Match {}

    record Similar(String id, String name, String text, double similarity, String spdxDifference) implements Match {}

    record None() implements Match {}
  }

  private record Indexed(String id, String name, String text, LicenseText normalized) {}

  private static volatile List<Indexed> index;

  static {
    SpdxTools.start();
  }

  private SpdxLicenseList() {}

  /** The list's version, e.g. {@code 3.28.0}. */
  static String version() {
    return LicenseInfoFactory.getLicenseListVersion();
  }

  /** The listed id with the list's own capitalisation, if this id (in any case) is listed. */
  static Optional<String> listedId(String id) {
    return LicenseInfoFactory.listedLicenseIdCaseSensitive(id.strip());
  }

  static Optional<String> name(String listedId) {
    try {
      return listedId(listedId).map(id -> {
        try {
          return ListedLicenses.getListedLicenses().getListedLicenseById(id).getName().orElse(id);
        } catch (InvalidSPDXAnalysisException e) {
          return id;
        }
      });
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Matches a license text against the SPDX list: candidates by similarity, then SPDX's matcher. */
  static Match match(String text, LicenseText normalized) {
    List<Candidate> candidates = candidates(normalized);
    Candidate closest = null;
    String closestDifference = "";
    for (Candidate c : candidates) {
      try {
        ListedLicense license = ListedLicenses.getListedLicenses().getListedLicenseById(c.id());
        DifferenceDescription d = LicenseCompareHelper.isTextStandardLicense(license, text);
        if (!d.isDifferenceFound()) return new Match.Identified(c.id(), c.name(), c.similarity());
        if (closest == null) {
          closest = c;
          closestDifference = d.getDifferenceMessage();
        }
      } catch (InvalidSPDXAnalysisException | SpdxCompareException | RuntimeException e) {
        // A template the matcher cannot handle is no match; the similarity ranking still stands.
      }
    }
    if (closest != null) {
      return new Match.Similar(closest.id(), closest.name(), closest.text(), closest.similarity(), closestDifference);
    }
    return new Match.None();
  }

  /** The listed licenses most similar to this text, best first, above {@link #CANDIDATE_FLOOR}. */
  static List<Candidate> candidates(LicenseText normalized) {
    List<Candidate> out = new ArrayList<>();
    for (Indexed i : index()) {
      double s = i.normalized().similarity(normalized);
      if (s >= CANDIDATE_FLOOR) out.add(new Candidate(i.id(), i.name(), i.text(), s));
    }
    out.sort(Comparator.comparingDouble(Candidate::similarity).reversed());
    return out.size() > CANDIDATES ? List.copyOf(out.subList(0, CANDIDATES)) : out;
  }

  /** Builds the similarity index on first use (about a second), then reuses it. */
  static void warmUp() {
    index();
  }

  private static List<Indexed> index() {
    List<Indexed> i = index;
    if (i == null) {
      synchronized (SpdxLicenseList.class) {
        i = index;
        if (i == null) {
          i = buildIndex();
          index = i;
        }
      }
    }
    return i;
  }

  private static List<Indexed> buildIndex() {
    List<Indexed> out = new ArrayList<>();
    ListedLicenses list = ListedLicenses.getListedLicenses();
    for (String id : list.getSpdxListedLicenseIds()) {
      try {
        ListedLicense l = list.getListedLicenseById(id);
        if (l.getIsDeprecatedLicenseId().orElse(false)) continue;
        String text = l.getLicenseText();
        out.add(new Indexed(id, l.getName().orElse(id), text, LicenseText.of(text)));
      } catch (InvalidSPDXAnalysisException | RuntimeException e) {
        // A listed license whose data cannot be read is skipped: it can still be declared by id.
      }
    }
    return List.copyOf(out);
  }
}
