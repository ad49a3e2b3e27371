package dev.airlock.vault.signing;

/**
 * Told how far hashing has come, so a CLI can draw a progress bar. Called from hashing threads,
 * but never concurrently: implementations need no locking of their own.
 */
@FunctionalInterface
public interface HashProgress {
  HashProgress NONE = (done, total) -> {};

  /** {@code bytesDone} of {@code bytesTotal} bytes hashed so far. */
  void update(long bytesDone, long bytesTotal);
}
