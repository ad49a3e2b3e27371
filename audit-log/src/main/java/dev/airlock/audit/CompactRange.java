package dev.airlock.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of a growing tree: one hash per set bit of its size, enough to append a leaf and
 * to compute the root at any time in O(log n). Verification uses it to recompute roots from the
 * leaves without storing the tree; public for verifiers outside this package (the Kafka mirror's).
 */
public final class CompactRange {
  private final List<byte[]> hashes = new ArrayList<>();
  private long size;

  /** Adds the next leaf's hash ({@link MerkleHash#leaf}). */
  public void append(byte[] leafHash) {
    byte[] h = leafHash;
    long n = size;
    while ((n & 1) == 1) {
      h = MerkleHash.node(hashes.remove(hashes.size() - 1), h);
      n >>= 1;
    }
    hashes.add(h);
    size++;
  }

  /** Leaves appended so far. */
  public long size() {
    return size;
  }

  /** The RFC 9162 root of the leaves appended so far. */
  public byte[] root() {
    if (hashes.isEmpty()) {
      return MerkleHash.emptyRoot();
    }
    byte[] r = hashes.get(hashes.size() - 1);
    for (int i = hashes.size() - 2; i >= 0; i--) {
      r = MerkleHash.node(hashes.get(i), r);
    }
    return r;
  }
}
