package dev.airlock.audit.index;

import java.time.Instant;

/**
 * Where a page ended: the time and log index of its last entry. Pages are ordered by (time, index),
 * so the next page starts strictly past this pair. {@link #toString()} gives a token for URLs that
 * {@link #parse} reads back.
 */
public record PageCursor(long timeNanos, long index) {
  static PageCursor of(Instant time, long index) {
    return new PageCursor(IndexStore.nanos(time), index);
  }

  /** Reads a token made by {@link #toString()}. */
  public static PageCursor parse(String token) {
    int dot = token.indexOf('-');
    try {
      if (dot > 0) {
        return new PageCursor(Long.parseLong(token.substring(0, dot)), Long.parseLong(token.substring(dot + 1)));
      }
    } catch (NumberFormatException e) {
      // fall through to the explanation below
    }
    throw new IllegalArgumentException("'" + token + "' is not a page cursor: expected TIME-INDEX as returned in the"
        + " previous page, e.g. 1763700000000000000-42");
  }

  @Override
  public String toString() {
    return timeNanos + "-" + index;
  }
}
