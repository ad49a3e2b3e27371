package dev.airlock.vault.signing;

/** A model that matched its signature: the signer, and the manifest it signed. */
public record VerifiedModel(SigningMethod method, String signer, ModelManifest manifest) {
  /** How many files the signature covers (shards of one file count once). */
  public long fileCount() {
    return manifest.fileCount();
  }
}
