package dev.airlock.audit.proof;

import java.util.List;

/**
 * RFC 9162 section 2.1.3 inclusion proof: the sibling hashes from leaf {@code index} up to the
 * root of the tree of {@code treeSize} leaves, leaf side first.
 */
public record InclusionProof(long index, long treeSize, List<byte[]> hashes) {
  public InclusionProof {
    hashes = List.copyOf(hashes);
  }

  /** Checks that {@code leafHash} sits at {@link #index()} of the tree with root {@code root}. */
  public void verify(byte[] leafHash, byte[] root) throws ProofException {
    ProofVerifier.verifyInclusion(index, treeSize, leafHash, hashes, root);
  }
}
