package dev.airlock.vault.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes tar bytes by hand, header field by header field, so tests can build the archives a
 * careful tool never would: lying sizes, links, devices, absolute names.
 */
public final class RawTar {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** A regular file whose header size is the data's length. */
  public RawTar file(String name, byte[] data) {
    return entry(name, data.length, '0', "", data);
  }

  /** Any entry: the header says {@code headerSize}, then {@code data} follows, padded to 512. */
  public RawTar entry(String name, long headerSize, char type, String linkName, byte[] data) {
    out.writeBytes(header(name, headerSize, type, linkName));
    out.writeBytes(data);
    int pad = (512 - data.length % 512) % 512;
    out.writeBytes(new byte[pad]);
    return this;
  }

  public RawTar raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  /** Two zero blocks: the end of the archive. */
  public byte[] finish() {
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  /** No end blocks: as if the copy stopped here. */
  public byte[] unfinished() {
    return out.toByteArray();
  }

  public static byte[] header(String name, long size, char type, String linkName) {
    byte[] h = new byte[512];
    put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
    put(h, 100, 8, octal(0644, 7));
    put(h, 108, 8, octal(0, 7));
    put(h, 116, 8, octal(0, 7));
    put(h, 124, 12, octal(size, 11));
    put(h, 136, 12, octal(0, 11));
    for (int i = 148; i < 156; i++) h[i] = ' ';
    h[156] = (byte) type;
    put(h, 157, 100, linkName.getBytes(StandardCharsets.UTF_8));
    put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
    put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    long sum = 0;
    for (byte b : h) sum += b & 0xff;
    put(h, 148, 8, (String.format("%06o", sum) + "\0 ").getBytes(StandardCharsets.US_ASCII));
    return h;
  }

  private static byte[] octal(long v, int digits) {
    return (String.format("%0" + digits + "o", v) + "\0").getBytes(StandardCharsets.US_ASCII);
  }

  private static void put(byte[] h, int off, int len, byte[] v) {
    System.arraycopy(v, 0, h, off, Math.min(len, v.length));
  }
}
