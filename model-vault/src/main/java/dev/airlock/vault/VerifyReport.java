package dev.airlock.vault;

import java.util.List;

/** What {@link Vault#verify} found when it re-hashed every blob. */
public record VerifyReport(int blobsChecked, long bytesChecked, List<Damage> damage,
    List<Sha256> unreferenced) {

  /** A blob whose bytes no longer match its name, or that is gone. */
  public record Damage(Sha256 expected, String problem) {}

  public boolean isIntact() {
    return damage.isEmpty();
  }
}
