package dev.airlock.vault.bundle;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Where the bytes of one bundle file go while they are hashed (for example a staging file). */
public interface FileSink {
  void write(ByteBuffer bytes) throws IOException;

  /** All bytes written and the digest matched: make them durable (fsync) and close. */
  void complete() throws IOException;

  /** The file or the bundle was refused: close and forget what was written. */
  void abandon();
}
