/**
 * Changes that take two people. An ADMIN proposes one (it is stored as pending, audited as
 * {@code change.proposed}); a DPO who is neither the proposer nor the one it gives powers to
 * confirms it, and then the change is applied and one audit record naming both is appended, in the
 * same database transaction; or declines it ({@code change.declined}). The kinds are a closed set,
 * {@link dev.airlock.server.changes.Change}: role grants (DPO, AUDITOR), activating a policy
 * version, trusting a key. Each knows how to check and apply itself on a connection; a new kind
 * (the organization profile) is one more record in that set.
 *
 * <p>Owns the {@code pending_change} table and the proposal side of user administration
 * ({@link dev.airlock.server.changes.RoleGrants}). Does not own the users, policy or trust
 * services it applies changes through, nor who may call which route ({@code auth.Allowed}).
 */
package dev.airlock.server.changes;
