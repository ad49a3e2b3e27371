package dev.airlock.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The two hashes of an RFC 6962/9162 Merkle tree. Domain separation (0x00 for leaves, 0x01 for
 * interior nodes) is what stops a leaf from being passed off as a node.
 */
public final class MerkleHash {
  /** Length of every hash in the tree, in bytes (SHA-256). */
  public static final int SIZE = 32;

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private MerkleHash() {}

  /** SHA-256(0x00 || data). */
  public static byte[] leaf(byte[] data) {
    MessageDigest sha = sha256();
    sha.update(LEAF_PREFIX);
    sha.update(data);
    return sha.digest();
  }

  /** SHA-256(0x01 || left || right). */
  public static byte[] node(byte[] left, byte[] right) {
    if (left.length != SIZE || right.length != SIZE) {
      throw new IllegalArgumentException(
          "Merkle node children must be " + SIZE + "-byte hashes, got " + left.length + " and " + right.length);
    }
    MessageDigest sha = sha256();
    sha.update(NODE_PREFIX);
    sha.update(left);
    sha.update(right);
    return sha.digest();
  }

  /** The root of an empty tree: SHA-256 of the empty string. */
  public static byte[] emptyRoot() {
    return sha256().digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime ships SHA-256", e);
    }
  }
}
