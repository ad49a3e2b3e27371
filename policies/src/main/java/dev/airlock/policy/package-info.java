/**
 * Policies: the rules an organization sets for which models may run, and the evaluator.
 *
 * <p>Owns: the policy language (YAML, validated against a published JSON Schema), the shipped
 * policy packs (top-level {@code policies/packs}), and the evaluator that turns facts into a
 * verdict with a rule-by-rule trace.
 *
 * <p>Does not own: collecting facts. The vault and license-audit gather them; this module judges.
 */
package dev.airlock.policy;
