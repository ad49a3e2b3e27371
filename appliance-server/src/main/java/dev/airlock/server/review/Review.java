package dev.airlock.server.review;

import dev.airlock.policy.Verdict;
import java.time.Instant;
import java.util.List;

/**
 * One stored review of a model version: the verdict of a policy version on the facts the license
 * audit found, with both reports as JSON exactly as stored ({@code LicenseReportJson}: effective
 * licenses, evidence excerpts, lineage, obligations, thresholds, restrictions, findings;
 * {@code EvaluationJson}: the rule-by-rule trace, obligations, provenance, notes).
 *
 * @param number 1 for the first review of the version, then 2, 3, ... (the highest is current)
 * @param notes what the reader must know about this review (e.g. the shipped pack was activated)
 * @param reviewedBy who asked for the review (the importer for the automatic one)
 * @param orgProfileVersion the organization profile version it judged with; empty if none was active
 */
public record Review(
    String id,
    String versionId,
    int number,
    Verdict verdict,
    String policyName,
    int policyVersion,
    int requiredApprovals,
    List<String> notes,
    String reviewedBy,
    Instant reviewedAt,
    String licenseReportJson,
    String evaluationJson,
    java.util.Optional<Integer> orgProfileVersion) {
  public Review {
    notes = List.copyOf(notes);
  }
}
