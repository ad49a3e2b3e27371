package dev.airlock.server.review;

import dev.airlock.policy.Verdict;
import dev.airlock.vault.catalog.CatalogFile;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.Provenance;
import java.time.Instant;
import java.util.List;

/**
 * Everything a printable DPIA approval record states about one model version: what it is (model,
 * version, bundle, file digests), who vouched for it (publisher, transfer signer, publisher
 * signature, importer), how it was judged (verdict of which policy version, obligations), every
 * decision with who, when and why, and where it stands now.
 *
 * @param stateSince when the version entered {@code state}
 * @param orgProfileVersion the organization profile version the review judged with, if one was active
 * @param external the server it is, when it is a registered external server (its weights are not here)
 */
public record ApprovalRecord(
    String versionId,
    String modelName,
    String version,
    Provenance provenance,
    long totalBytes,
    List<CatalogFile> files,
    String reviewId,
    Verdict verdict,
    String policyName,
    int policyVersion,
    Instant reviewedAt,
    int requiredApprovals,
    List<Obligation> obligations,
    List<Decision> decisions,
    LifecycleState state,
    Instant stateSince,
    java.util.Optional<Integer> orgProfileVersion,
    java.util.Optional<dev.airlock.vault.catalog.ExternalServer> external) {
  public ApprovalRecord {
    files = List.copyOf(files);
    obligations = List.copyOf(obligations);
    decisions = List.copyOf(decisions);
  }

  /** One obligation the verdict lists, as the policy evaluation stated it. */
  public record Obligation(String licenseId, String text, String evidence) {}
}
