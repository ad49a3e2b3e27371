/**
 * The operator's side of policies in the server: the policy store as a bean, saving and activating
 * versions with an audit record in the same transaction, a structural diff of two versions, and
 * what a version would change for the approved and active models of the vault.
 */
package dev.airlock.server.policy;
