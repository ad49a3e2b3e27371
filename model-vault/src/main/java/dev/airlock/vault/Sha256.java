package dev.airlock.vault;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A SHA-256 content digest, the address of a blob in the vault. Always 64 lower-case hex digits,
 * so two digests of the same bytes compare equal as values.
 */
public record Sha256(String hex) {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final int BUFFER_SIZE = 1 << 16;

  public Sha256 {
    if (hex == null || !HEX64.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "a SHA-256 digest is 64 lower-case hex digits, got: " + abbreviate(hex));
    }
  }

  /** Parses a digest written as hex, upper or lower case. */
  public static Sha256 parse(String text) {
    return new Sha256(text == null ? null : text.strip().toLowerCase(java.util.Locale.ROOT));
  }

  public static Sha256 of(byte[] bytes) {
    return new Sha256(HexFormat.of().formatHex(newDigest().digest(bytes)));
  }

  /** Digests a stream to its end; the caller closes it. */
  public static Sha256 of(InputStream in) throws IOException {
    MessageDigest sha = newDigest();
    byte[] buffer = new byte[BUFFER_SIZE];
    for (int n; (n = in.read(buffer)) != -1; ) {
      sha.update(buffer, 0, n);
    }
    return new Sha256(HexFormat.of().formatHex(sha.digest()));
  }

  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime ships SHA-256", e);
    }
  }

  public byte[] bytes() {
    return HexFormat.of().parseHex(hex);
  }

  @Override
  public String toString() {
    return "sha256:" + hex;
  }

  private static String abbreviate(String s) {
    if (s == null) return "nothing";
    return s.length() > 80 ? "'" + s.substring(0, 80) + "...'" : "'" + s + "'";
  }
}
