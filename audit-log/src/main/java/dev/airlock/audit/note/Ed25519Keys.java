package dev.airlock.audit.note;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The signed-note key id rule for Ed25519, shared by signer and verifier. */
final class Ed25519Keys {
  /** Signature type byte of Ed25519 in c2sp.org/signed-note. */
  static final byte TYPE_ED25519 = 0x01;

  private Ed25519Keys() {}

  /** key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4], big-endian. */
  static int keyId(String name, byte[] publicKey) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(name.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0x0A);
      sha.update(TYPE_ED25519);
      sha.update(publicKey);
      byte[] h = sha.digest();
      return ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime ships SHA-256", e);
    }
  }

  static void checkName(String name) {
    if (name.isEmpty() || name.contains("+") || name.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          "key name must be non-empty without spaces or '+', e.g. 'airlock.example/audit', got '" + name + "'");
    }
  }
}
