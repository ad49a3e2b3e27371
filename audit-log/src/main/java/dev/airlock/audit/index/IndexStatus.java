package dev.airlock.audit.index;

import java.util.Optional;

/**
 * How far the index has got, for the server's metrics and health.
 *
 * @param indexed entries indexed (log indexes 0 .. indexed-1)
 * @param logSize entries in the log
 * @param lastError the last failure while the index is retrying, empty once it recovered
 */
public record IndexStatus(long indexed, long logSize, Optional<String> lastError) {
  /** Entries the index has not caught up with. */
  public long behind() {
    return Math.max(0, logSize - indexed);
  }
}
