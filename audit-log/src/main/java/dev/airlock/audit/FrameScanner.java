package dev.airlock.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Reads frames front to back through a large buffer: the fast path for recovery scans, export and
 * full verification. Stops at the first frame that does not fit or fails its checksum and says
 * where.
 */
final class FrameScanner {
  /** Large reads amortise system calls; 1 MiB holds about a thousand 1 KiB leaves. */
  private static final int BUFFER = 1 << 20;

  private final FileChannel ch;
  private final long limit;
  private long offset;
  private ByteBuffer buf = ByteBuffer.allocate(BUFFER).flip();
  private long bufStart;
  private String problem = "";
  private final CRC32C crc = new CRC32C();

  FrameScanner(FileChannel ch, long start, long limit) {
    this.ch = ch;
    this.offset = start;
    this.bufStart = start;
    this.limit = limit;
  }

  /** Offset of the next frame (after the last one returned). */
  long offset() {
    return offset;
  }

  /** Why {@link #next} returned null before the limit; empty at a clean end. */
  String problem() {
    return problem;
  }

  boolean atEnd() {
    return offset == limit;
  }

  /** The next frame's content, or null at the end or at a bad frame (see {@link #problem}). */
  byte[] next() throws IOException {
    if (offset == limit) {
      return null;
    }
    if (offset + Frames.OVERHEAD > limit) {
      problem = "the last " + (limit - offset) + " bytes are too short to be an entry";
      return null;
    }
    if (!ensure(4)) {
      problem = "unexpected end of file";
      return null;
    }
    int pos = (int) (offset - bufStart);
    int n = buf.getInt(pos);
    if (n < 0 || n > Frames.MAX_CONTENT || offset + Frames.OVERHEAD + n > limit) {
      problem = "entry length " + Integer.toUnsignedString(n) + " at offset " + offset + " runs past the end of the file";
      return null;
    }
    if (!ensure(n + Frames.OVERHEAD)) {
      problem = "unexpected end of file";
      return null;
    }
    pos = (int) (offset - bufStart);
    crc.reset();
    crc.update(buf.array(), pos, 4 + n);
    if ((int) crc.getValue() != buf.getInt(pos + 4 + n)) {
      problem = "checksum mismatch in the entry at offset " + offset;
      return null;
    }
    byte[] content = new byte[n];
    System.arraycopy(buf.array(), pos + 4, content, 0, n);
    offset += n + Frames.OVERHEAD;
    return content;
  }

  private boolean ensure(int bytes) throws IOException {
    long have = bufStart + buf.limit() - offset;
    if (have >= bytes) {
      return true;
    }
    if (bytes > buf.capacity()) {
      buf = ByteBuffer.allocate(bytes);
    }
    buf.clear();
    bufStart = offset;
    long want = Math.min(buf.capacity(), limit - offset);
    buf.limit((int) want);
    while (buf.hasRemaining()) {
      int r = ch.read(buf, bufStart + buf.position());
      if (r < 0) {
        break;
      }
    }
    buf.flip();
    return buf.limit() >= bytes;
  }
}
