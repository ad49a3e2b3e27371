package dev.airlock.installer;

import dev.airlock.license.EffectiveLicense;
import dev.airlock.license.Evidence;
import dev.airlock.license.FieldOfUseRestriction;
import dev.airlock.license.Finding;
import dev.airlock.license.GoverningLaw;
import dev.airlock.license.LicenseReport;
import dev.airlock.license.LineageEntry;
import dev.airlock.license.Obligation;
import dev.airlock.license.TerritorialRestriction;
import dev.airlock.license.Threshold;
import java.util.Locale;

/** The license report for a person at a terminal: sections in the order a reviewer reads them. */
final class LicenseReportText {
  private LicenseReportText() {}

  static String render(LicenseReport r) {
    StringBuilder s = new StringBuilder();
    s.append("License scan of ").append(r.model()).append('\n');

    s.append("\nEffective licenses\n");
    for (EffectiveLicense e : r.effectiveLicenses()) {
      s.append("  ").append(e.id()).append("  ").append(e.name()).append("  [").append(e.category().id()).append("]  ")
          .append(e.basis().id());
      if (!e.boundThrough().equals(EffectiveLicense.THIS_MODEL)) s.append(" through ").append(e.boundThrough());
      s.append('\n');
    }

    s.append("\nLineage\n");
    if (r.lineage().isEmpty()) s.append("  (no base model named)\n");
    for (LineageEntry l : r.lineage()) {
      s.append("  ").append(l.relation().describe()).append(" of ").append(l.model()).append(": ");
      s.append(l.family().map(f -> f.name() + " by " + f.publisher() + " (" + f.originCountry() + "), " + f.licenseId())
          .orElse("not a model family Airlock knows"));
      s.append('\n');
    }

    if (!r.obligations().isEmpty()) {
      s.append("\nObligations\n");
      for (Obligation o : r.obligations()) {
        s.append("  [").append(o.licenseId()).append("] ").append(o.kind().id()).append(": ").append(o.description())
            .append(" (").append(o.citation().clause()).append(")\n");
      }
    }
    if (!r.thresholds().isEmpty()) {
      s.append("\nThresholds\n");
      for (Threshold t : r.thresholds()) {
        s.append("  [").append(t.licenseId()).append("] ").append(t.metric().id()).append(" > ")
            .append(String.format(Locale.ROOT, "%,d", t.limit())).append(": ").append(t.consequence())
            .append(" (").append(t.citation().clause()).append(")\n");
      }
    }
    if (!r.fieldOfUseRestrictions().isEmpty() || !r.territorialRestrictions().isEmpty()) {
      s.append("\nRestrictions\n");
      for (FieldOfUseRestriction f : r.fieldOfUseRestrictions()) {
        s.append("  [").append(f.licenseId()).append("] field of use ").append(f.field()).append(": ").append(f.description())
            .append(" (").append(f.citation().clause()).append(")\n");
      }
      for (TerritorialRestriction t : r.territorialRestrictions()) {
        s.append("  [").append(t.licenseId()).append("] territory ").append(t.territory()).append(", ").append(t.scope())
            .append(": ").append(t.description()).append(" (").append(t.citation().clause()).append(")\n");
      }
    }
    if (!r.governingLaw().isEmpty()) {
      s.append("\nGoverning law\n");
      for (GoverningLaw g : r.governingLaw()) {
        s.append("  [").append(g.licenseId()).append("] ").append(g.jurisdiction()).append(" (").append(g.citation().clause()).append(")\n");
      }
    }

    s.append("\nFindings\n");
    for (Finding f : r.findings()) {
      s.append("  ").append(String.format(Locale.ROOT, "%-7s", f.severity().id().toUpperCase(Locale.ROOT))).append(' ')
          .append(f.code().id()).append(": ").append(f.message()).append('\n');
      for (Evidence e : f.evidence()) s.append("          evidence: ").append(e).append('\n');
    }
    return s.toString();
  }
}
