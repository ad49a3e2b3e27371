package dev.airlock.vault.trust;

/** What a trusted key or CA may vouch for. */
public enum TrustRole {
  /** Signs bundle manifests: who may bring bundles in across the air gap. */
  TRANSFER,
  /** Signs models (OpenSSF Model Signing, {@code model.sig}): whose model signatures count. */
  PUBLISHER;

  /** The role as the trust store, the APIs and the audit records spell it: {@code transfer}, {@code publisher}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
