package dev.airlock.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The framing shared by segment, key and checkpoint files: {@code u32 length || bytes || u32
 * CRC32C(length || bytes)}, big-endian. A frame that does not fit, or whose checksum fails, marks
 * where the valid part of a file ends.
 */
final class Frames {
  /** Bytes a frame adds around its content. */
  static final int OVERHEAD = 8;

  /** No leaf, key or note is this large; a bigger length means garbage, not a frame. */
  static final int MAX_CONTENT = 64 * 1024 * 1024;

  private Frames() {}

  static void put(ByteBuffer out, byte[] content) {
    int start = out.position();
    out.putInt(content.length);
    out.put(content);
    CRC32C crc = new CRC32C();
    crc.update(out.array(), out.arrayOffset() + start, 4 + content.length);
    out.putInt((int) crc.getValue());
  }

  static byte[] frame(byte[] content) {
    ByteBuffer b = ByteBuffer.allocate(content.length + OVERHEAD);
    put(b, content);
    return b.array();
  }

  /** Reads the frame at {@code offset}; empty when none fits or its checksum fails. */
  static byte[] readAt(FileChannel ch, long offset, long limit) throws IOException {
    if (offset + OVERHEAD > limit) {
      return null;
    }
    ByteBuffer len = ByteBuffer.allocate(4);
    readFully(ch, len, offset);
    int n = len.getInt(0);
    if (n < 0 || n > MAX_CONTENT || offset + OVERHEAD + n > limit) {
      return null;
    }
    ByteBuffer b = ByteBuffer.allocate(n + OVERHEAD);
    readFully(ch, b, offset);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 4 + n);
    if ((int) crc.getValue() != b.getInt(4 + n)) {
      return null;
    }
    byte[] content = new byte[n];
    System.arraycopy(b.array(), 4, content, 0, n);
    return content;
  }

  static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    while (b.hasRemaining()) {
      int r = ch.read(b, position + b.position());
      if (r < 0) {
        throw new IOException("unexpected end of file at offset " + (position + b.position()));
      }
    }
  }

  /**
   * True if a whole frame follows the bad frame at {@code bad} (where the bad frame's length says
   * it ends), before {@code end}: the damage is then inside the log, not a torn tail.
   */
  static boolean wholeFrameAfter(FileChannel ch, long bad, long end) throws IOException {
    if (bad + 4 > end) {
      return false;
    }
    ByteBuffer len = ByteBuffer.allocate(4);
    readFully(ch, len, bad);
    long n = len.getInt(0) & 0xffffffffL;
    long next = bad + OVERHEAD + n;
    return n <= MAX_CONTENT && next < end && readAt(ch, next, end) != null;
  }

  /** True if bytes {@code [from, to)} of the file are all zero (space preallocated, never written). */
  static boolean allZero(FileChannel ch, long from, long to) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64 * 1024);
    for (long at = from; at < to; at += b.limit()) {
      b.clear().limit((int) Math.min(b.capacity(), to - at));
      readFully(ch, b, at);
      for (int i = 0; i < b.limit(); i++) {
        if (b.get(i) != 0) {
          return false;
        }
      }
    }
    return true;
  }

  static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long p = position;
    while (b.hasRemaining()) {
      p += ch.write(b, p);
    }
  }
}
