package dev.airlock.audit.proof;

import java.util.List;

/**
 * RFC 9162 section 2.1.4 consistency proof: shows that the tree of {@code size1} leaves is a
 * prefix of the tree of {@code size2} leaves.
 */
public record ConsistencyProof(long size1, long size2, List<byte[]> hashes) {
  public ConsistencyProof {
    hashes = List.copyOf(hashes);
  }

  public void verify(byte[] root1, byte[] root2) throws ProofException {
    ProofVerifier.verifyConsistency(size1, size2, root1, root2, hashes);
  }
}
