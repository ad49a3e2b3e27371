package dev.airlock.audit;

import java.util.Base64;
import java.util.Objects;

/**
 * A signed statement by the log: "my tree of {@code size} leaves has root {@code rootHash}". It is
 * a C2SP {@code tlog-checkpoint} body (origin, size, base64 root, one per line) inside a C2SP
 * signed note with the log's Ed25519 signature. {@code signedNote} is the exact text, as written
 * to disk and shipped to the mirror.
 */
public record Checkpoint(String origin, long size, byte[] rootHash, String signedNote) {
  public Checkpoint {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(rootHash, "rootHash");
    Objects.requireNonNull(signedNote, "signedNote");
    if (size < 0) {
      throw new IllegalArgumentException("checkpoint size must be >= 0, got " + size);
    }
    if (rootHash.length != MerkleHash.SIZE) {
      throw new IllegalArgumentException("checkpoint root must be 32 bytes, got " + rootHash.length);
    }
    rootHash = rootHash.clone();
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  @Override
  public String toString() {
    return "Checkpoint[" + origin + ", size " + size + ", root " + Base64.getEncoder().encodeToString(rootHash) + "]";
  }
}
