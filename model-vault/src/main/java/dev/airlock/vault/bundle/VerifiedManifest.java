package dev.airlock.vault.bundle;

import dev.airlock.vault.Sha256;
import dev.airlock.vault.trust.TrustAnchor;

/** A manifest whose transfer signature checked out, with the key that made it. */
public record VerifiedManifest(BundleManifest manifest, Sha256 manifestDigest, TrustAnchor signer) {}
