package dev.airlock.audit.proof;

import dev.airlock.audit.MerkleHash;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds RFC 9162 roots and proofs (MTH, PATH, SUBPROOF of section 2.1) from stored complete
 * subtrees. A complete, aligned range costs one lookup; an incomplete right edge splits into at
 * most log2(n) complete ones, so every proof costs O(log^2 n) lookups in the worst case and no
 * leaf is ever re-hashed.
 */
public final class ProofBuilder {
  private ProofBuilder() {}

  /** The root of the first {@code size} leaves (the empty-tree hash for size 0). */
  public static byte[] root(TreeHashes nodes, long size) {
    if (size == 0) {
      return MerkleHash.emptyRoot();
    }
    return rangeHash(nodes, 0, size);
  }

  /** Inclusion proof of leaf {@code index} in the tree of {@code size} leaves. */
  public static InclusionProof inclusion(TreeHashes nodes, long index, long size) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("index " + index + " is not in a tree of size " + size);
    }
    List<byte[]> out = new ArrayList<>();
    path(nodes, index, 0, size, out);
    return new InclusionProof(index, size, out);
  }

  /** Consistency proof from the tree of {@code size1} leaves to the tree of {@code size2}. */
  public static ConsistencyProof consistency(TreeHashes nodes, long size1, long size2) {
    if (size1 < 1 || size1 > size2) {
      throw new IllegalArgumentException(
          "consistency needs 1 <= size1 <= size2, got size1 " + size1 + ", size2 " + size2);
    }
    List<byte[]> out = new ArrayList<>();
    if (size1 < size2) {
      subproof(nodes, size1, 0, size2, true, out);
    }
    return new ConsistencyProof(size1, size2, out);
  }

  // PATH(m, D[start:start+n]) with the recursion unrolled from the bottom: collected root-side
  // first, then reversed, so the result is leaf side first as RFC 9162 orders it.
  private static void path(TreeHashes nodes, long m, long start, long n, List<byte[]> out) {
    List<byte[]> rootFirst = new ArrayList<>();
    while (n > 1) {
      long k = Long.highestOneBit(n - 1);
      if (m < k) {
        rootFirst.add(rangeHash(nodes, start + k, n - k));
        n = k;
      } else {
        rootFirst.add(rangeHash(nodes, start, k));
        m -= k;
        start += k;
        n -= k;
      }
    }
    for (int i = rootFirst.size() - 1; i >= 0; i--) {
      out.add(rootFirst.get(i));
    }
  }

  private static void subproof(TreeHashes nodes, long m, long start, long n, boolean b, List<byte[]> out) {
    List<byte[]> rootFirst = new ArrayList<>();
    while (m != n) {
      long k = Long.highestOneBit(n - 1);
      if (m <= k) {
        rootFirst.add(rangeHash(nodes, start + k, n - k));
        n = k;
      } else {
        rootFirst.add(rangeHash(nodes, start, k));
        m -= k;
        start += k;
        n -= k;
        b = false;
      }
    }
    if (!b) {
      rootFirst.add(rangeHash(nodes, start, n));
    }
    for (int i = rootFirst.size() - 1; i >= 0; i--) {
      out.add(rootFirst.get(i));
    }
  }

  /** MTH of leaves [start, start + n), start aligned to the largest power of two <= n. */
  static byte[] rangeHash(TreeHashes nodes, long start, long n) {
    if (Long.bitCount(n) == 1) {
      int level = Long.numberOfTrailingZeros(n);
      return nodes.node(level, start >>> level);
    }
    long k = Long.highestOneBit(n - 1);
    return MerkleHash.node(rangeHash(nodes, start, k), rangeHash(nodes, start + k, n - k));
  }
}
