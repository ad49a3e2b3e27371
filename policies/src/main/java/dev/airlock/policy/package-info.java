/**
 * Policies: the rules an organization sets for which models may run, and the evaluator.
 *
 * <p>Owns: the policy language (YAML, validated against the JSON Schema published as {@code
 * docs/policy.schema.json}; {@link dev.airlock.policy.PolicyFile}), the shipped policy packs
 * (top-level {@code policies/packs}, on the classpath under {@code packs/}), the evaluator that
 * turns facts into a verdict with a rule-by-rule trace ({@link
 * dev.airlock.policy.PolicyEngine#evaluate}), the kept versions of policies ({@link
 * dev.airlock.policy.PolicyStore}, migrations {@code V20_50+}) and what changing the active
 * policy does to approved models ({@link dev.airlock.policy.PolicyChange}).
 *
 * <p>Does not own: collecting the facts. license-audit, the vault and the model inspector gather
 * them; {@link dev.airlock.policy.ModelFacts} puts them in the form rules read. See
 * {@code docs/policies.md}.
 */
package dev.airlock.policy;
