package dev.airlock.vault.metadata;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian reads from a file through one small buffer, never past the file's end: every
 * length read from the file is checked against what is left before anything is allocated, so a
 * header that lies about a size fails with a message instead of exhausting the heap.
 */
final class BoundedChannelReader {
  private static final int BUFFER_SIZE = 1 << 16;

  private final FileChannel channel;
  private final String file;
  private final long size;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
  private long bufferStart;

  BoundedChannelReader(FileChannel channel, String file) throws IOException {
    this.channel = channel;
    this.file = file;
    this.size = channel.size();
    buffer.limit(0);
  }

  long size() {
    return size;
  }

  long position() {
    return bufferStart + buffer.position();
  }

  long remaining() {
    return size - position();
  }

  /** Fails unless {@code n} more bytes exist; {@code what} names the field for the message. */
  void require(long n, String what) throws ModelFileException {
    if (n < 0 || n > remaining()) {
      throw new ModelFileException(
          file,
          what + " needs " + Long.toUnsignedString(n) + " bytes at offset " + position()
              + " but only " + remaining() + " remain: the file is truncated or its header is"
              + " corrupt; copy it again from its source");
    }
  }

  private void fill(int n, String what) throws IOException {
    require(n, what);
    if (buffer.remaining() >= n) return;
    long pos = position();
    buffer.clear();
    bufferStart = pos;
    while (buffer.position() < n) {
      int read = channel.read(buffer, pos + buffer.position());
      if (read < 0) throw new EOFException(file + ": ended while reading " + what);
    }
    buffer.flip();
  }

  int u8(String what) throws IOException {
    fill(1, what);
    return buffer.get() & 0xff;
  }

  short i16(String what) throws IOException {
    fill(2, what);
    return buffer.getShort();
  }

  int i32(String what) throws IOException {
    fill(4, what);
    return buffer.getInt();
  }

  long i64(String what) throws IOException {
    fill(8, what);
    return buffer.getLong();
  }

  float f32(String what) throws IOException {
    fill(4, what);
    return buffer.getFloat();
  }

  double f64(String what) throws IOException {
    fill(8, what);
    return buffer.getDouble();
  }

  /** Reads exactly {@code n} bytes; the caller has already capped {@code n}. */
  byte[] bytes(int n, String what) throws IOException {
    require(n, what);
    byte[] out = new byte[n];
    int done = 0;
    while (done < n) {
      if (!buffer.hasRemaining()) fill(Math.min(BUFFER_SIZE, n - done), what);
      int chunk = Math.min(buffer.remaining(), n - done);
      buffer.get(out, done, chunk);
      done += chunk;
    }
    return out;
  }

  /** Moves forward by {@code n} bytes without reading them. */
  void skip(long n, String what) throws ModelFileException {
    require(n, what);
    long target = position() + n;
    if (target <= bufferStart + buffer.limit()) {
      buffer.position((int) (target - bufferStart));
    } else {
      bufferStart = target;
      buffer.limit(0);
    }
  }

  /** Decodes strict UTF-8, so binary junk is reported rather than turned into replacement chars. */
  String utf8(byte[] bytes, String what) throws ModelFileException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ModelFileException(
          file, what + " at offset " + (position() - bytes.length) + " is not valid UTF-8 text");
    }
  }
}
