/**
 * The model catalog in the appliance database (migrations {@code V10_*}): versions, files to
 * blobs, provenance, model facts, and the lifecycle whose transitions live in
 * {@link dev.airlock.vault.catalog.LifecycleState}.
 */
package dev.airlock.vault.catalog;
