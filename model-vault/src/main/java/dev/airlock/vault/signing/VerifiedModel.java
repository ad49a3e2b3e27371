package dev.airlock.vault.signing;

/** A model directory that matched its signature: the signer, and the manifest it signed. */
public record VerifiedModel(SigningMethod method, String signer, ModelManifest manifest) {
  /** How many files the signature covers (shards of one file count once). */
  public long fileCount() {
    boolean shards = manifest.serialization() instanceof Serialization.Shards;
    return manifest.resources().stream()
        .map(r -> shards ? pathOfShard(r.name()) : r.name())
        .distinct().count();
  }

  private static String pathOfShard(String name) {
    int end = name.lastIndexOf(':');
    return name.substring(0, name.lastIndexOf(':', end - 1));
  }
}
