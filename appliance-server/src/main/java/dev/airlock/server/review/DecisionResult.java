package dev.airlock.server.review;

import dev.airlock.vault.catalog.LifecycleState;

/**
 * What a decision did: the stored decision, the approvals the review now has, and the version's
 * state afterwards (APPROVED once enough DPOs approved, DENIED after a rejection).
 */
public record DecisionResult(Decision decision, int approvals, int requiredApprovals, LifecycleState state) {}
