package dev.airlock.server.review;

import dev.airlock.policy.Verdict;
import dev.airlock.vault.catalog.ModelVersion;
import java.time.Instant;

/** A version waiting for DPOs: its current review's verdict and how far the approvals got. */
public record QueueEntry(
    ModelVersion version,
    String reviewId,
    Verdict verdict,
    String policyName,
    int policyVersion,
    int approvals,
    int requiredApprovals,
    Instant reviewedAt) {}
