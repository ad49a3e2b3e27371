package dev.airlock.audit.proof;

import dev.airlock.audit.MerkleHash;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The RFC 9162 verification algorithms (sections 2.1.3.2 and 2.1.4.2), written step for step
 * after the RFC so they can be read side by side with it. They pass every transparency-dev vector,
 * including the ones that must fail.
 */
public final class ProofVerifier {
  private ProofVerifier() {}

  /** RFC 9162 2.1.3.2: verifies an inclusion proof; throws saying which check failed. */
  public static void verifyInclusion(long leafIndex, long treeSize, byte[] leafHash, List<byte[]> proof, byte[] root)
      throws ProofException {
    requireHash(leafHash, "leaf hash");
    requireHash(root, "root");
    for (int i = 0; i < proof.size(); i++) {
      requireHash(proof.get(i), "proof hash " + i);
    }
    if (leafIndex < 0 || treeSize < 0) {
      throw new ProofException("index and tree size must be >= 0, got index " + leafIndex + ", size " + treeSize);
    }
    if (leafIndex >= treeSize) {
      throw new ProofException("leaf index " + leafIndex + " is not inside a tree of size " + treeSize);
    }
    long fn = leafIndex;
    long sn = treeSize - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0) {
        throw new ProofException("inclusion proof has " + proof.size() + " hashes, more than a tree of size "
            + treeSize + " needs for index " + leafIndex);
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = MerkleHash.node(p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = MerkleHash.node(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new ProofException("inclusion proof has " + proof.size() + " hashes, fewer than a tree of size "
          + treeSize + " needs for index " + leafIndex);
    }
    if (!MessageDigest.isEqual(r, root)) {
      throw new ProofException("inclusion proof for index " + leafIndex + " in tree size " + treeSize
          + " leads to root " + b64(r) + ", expected " + b64(root));
    }
  }

  /** RFC 9162 2.1.4.2: verifies a consistency proof between two tree heads. */
  public static void verifyConsistency(long size1, long size2, byte[] root1, byte[] root2, List<byte[]> proof)
      throws ProofException {
    if (size1 < 0 || size2 < 0) {
      throw new ProofException("tree sizes must be >= 0, got " + size1 + " and " + size2);
    }
    if (size2 < size1) {
      throw new ProofException("first tree size " + size1 + " is larger than second tree size " + size2);
    }
    if (size1 == 0) {
      throw new ProofException("a consistency proof from the empty tree proves nothing and is refused");
    }
    if (size1 == size2) {
      if (!proof.isEmpty()) {
        throw new ProofException("trees of equal size " + size1 + " need an empty consistency proof, got "
            + proof.size() + " hashes");
      }
      // As in transparency-dev/merkle: equal sizes compare the roots as given, whatever their length.
      if (root1 == null || root2 == null || !MessageDigest.isEqual(root1, root2)) {
        throw new ProofException("trees of equal size " + size1 + " have different roots " + b64(root1) + " and "
            + b64(root2));
      }
      return;
    }
    requireHash(root1, "first root");
    requireHash(root2, "second root");
    for (int i = 0; i < proof.size(); i++) {
      requireHash(proof.get(i), "proof hash " + i);
    }
    if (proof.isEmpty()) {
      throw new ProofException("consistency proof from size " + size1 + " to " + size2 + " is empty");
    }
    List<byte[]> path = new ArrayList<>(proof.size() + 1);
    if (Long.bitCount(size1) == 1) {
      path.add(root1);
    }
    path.addAll(proof);
    long fn = size1 - 1;
    long sn = size2 - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    for (byte[] c : path.subList(1, path.size())) {
      if (sn == 0) {
        throw new ProofException("consistency proof from " + size1 + " to " + size2 + " has too many hashes");
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = MerkleHash.node(c, fr);
        sr = MerkleHash.node(c, sr);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        sr = MerkleHash.node(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new ProofException("consistency proof from " + size1 + " to " + size2 + " has too few hashes");
    }
    if (!MessageDigest.isEqual(fr, root1)) {
      throw new ProofException("consistency proof leads to first root " + b64(fr) + ", expected " + b64(root1));
    }
    if (!MessageDigest.isEqual(sr, root2)) {
      throw new ProofException("consistency proof leads to second root " + b64(sr) + ", expected " + b64(root2));
    }
  }

  private static void requireHash(byte[] h, String what) throws ProofException {
    if (h == null || h.length != MerkleHash.SIZE) {
      throw new ProofException(what + " must be " + MerkleHash.SIZE + " bytes, got "
          + (h == null ? "none" : h.length));
    }
  }

  private static String b64(byte[] h) {
    return Base64.getEncoder().encodeToString(h);
  }
}
