package dev.airlock.license;

import java.util.List;
import java.util.Objects;

/**
 * Everything Airlock found out about a model's licenses: the facts a policy judges.
 *
 * <p>Obligations, thresholds and restrictions are those of every effective license, inherited ones
 * included. Findings carry the evidence for each fact and every problem met while scanning; a scan
 * never throws for bad input, it reports it here.
 *
 * @param model what was scanned (the directory or bundle, as given)
 * @param effectiveLicenses licenses that bind the model, its own and its ancestors'
 * @param lineage the model's ancestors
 * @param obligations duties from every effective license
 * @param thresholds user-count limits from every effective license
 * @param fieldOfUseRestrictions forbidden uses from every effective license
 * @param territorialRestrictions rights withheld by territory
 * @param governingLaw the law each effective license is governed by, where it says
 * @param findings facts and problems, each with evidence
 */
public record LicenseReport(
    String model,
    List<EffectiveLicense> effectiveLicenses,
    List<LineageEntry> lineage,
    List<Obligation> obligations,
    List<Threshold> thresholds,
    List<FieldOfUseRestriction> fieldOfUseRestrictions,
    List<TerritorialRestriction> territorialRestrictions,
    List<GoverningLaw> governingLaw,
    List<Finding> findings) {

  public LicenseReport {
    Objects.requireNonNull(model, "model");
    effectiveLicenses = List.copyOf(effectiveLicenses);
    lineage = List.copyOf(lineage);
    obligations = List.copyOf(obligations);
    thresholds = List.copyOf(thresholds);
    fieldOfUseRestrictions = List.copyOf(fieldOfUseRestrictions);
    territorialRestrictions = List.copyOf(territorialRestrictions);
    governingLaw = List.copyOf(governingLaw);
    findings = List.copyOf(findings);
  }

  /** The findings with this code, in the order they were found. */
  public List<Finding> findings(FindingCode code) {
    return findings.stream().filter(f -> f.code() == code).toList();
  }

  /** Whether any finding has this code. */
  public boolean has(FindingCode code) {
    return findings.stream().anyMatch(f -> f.code() == code);
  }

  /** The findings at this severity or worse. */
  public List<Finding> findingsAtLeast(Severity severity) {
    return findings.stream().filter(f -> f.severity().compareTo(severity) >= 0).toList();
  }
}
