/**
 * The offline bundle format (docs/bundle-format.md): {@link dev.airlock.vault.bundle.BundleWriter}
 * packs and signs, {@link dev.airlock.vault.bundle.BundleReader} checks every rule in one
 * sequential pass, and {@link dev.airlock.vault.bundle.BundleRejectedException} names each refusal.
 */
package dev.airlock.vault.bundle;
