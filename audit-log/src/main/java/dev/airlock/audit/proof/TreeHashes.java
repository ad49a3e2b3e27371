package dev.airlock.audit.proof;

/**
 * Random access to the hashes of complete subtrees, which is all a log needs to build proofs in
 * O(log n): {@code node(level, i)} is the root of leaves {@code [i * 2^level, (i + 1) * 2^level)};
 * level 0 holds the leaf hashes.
 */
@FunctionalInterface
public interface TreeHashes {
  byte[] node(int level, long index);
}
