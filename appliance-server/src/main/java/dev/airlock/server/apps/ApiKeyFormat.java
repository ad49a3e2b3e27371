package dev.airlock.server.apps;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * How app keys look and how they are stored.
 *
 * <p>A key is {@code alk_} + 256 random bits (base64url). It is stored as SHA-256 of the key:
 * with 256 bits of entropy no guessing or precomputation is possible, so a slow password hash
 * (Argon2id, meant for low-entropy passwords) would only add tens of milliseconds to every
 * request's lookup without adding security; a plain digest also lets the lookup be an index hit.
 */
final class ApiKeyFormat {
  static final String KEY_PREFIX = "alk_";
  /** Random bytes per key: 256 bits, beyond any brute force. */
  private static final int KEY_BYTES = 32;
  /** Characters of the key shown in listings: enough to tell a handful of keys apart, useless to an attacker. */
  static final int VISIBLE_PREFIX_CHARS = KEY_PREFIX.length() + 8;

  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeyFormat() {}

  static String newSecret() {
    byte[] b = new byte[KEY_BYTES];
    RANDOM.nextBytes(b);
    return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String newId(String kind) {
    byte[] b = new byte[9];
    RANDOM.nextBytes(b);
    return kind + "_" + HexFormat.of().formatHex(b);
  }

  static String visiblePrefix(String secret) {
    return secret.substring(0, Math.min(VISIBLE_PREFIX_CHARS, secret.length()));
  }

  static String hash(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
