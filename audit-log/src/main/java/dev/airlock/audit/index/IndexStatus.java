package dev.airlock.audit.index;

import java.util.Optional;

/**
 * How far the index has got, for the server's metrics and health.
 *
 * @param indexed entries indexed (log indexes 0 .. indexed-1)
 * @param logSize entries in the log
 * @param lastError the last failure while the index is retrying, empty once it recovered
 * @param rebuilding true while the search indexes are built over the whole table (after a bulk load or
 *     a rebuild): entries are findable, but searches scan instead of using them until it ends
 */
public record IndexStatus(long indexed, long logSize, Optional<String> lastError, boolean rebuilding) {
  /** Entries the index has not caught up with. */
  public long behind() {
    return Math.max(0, logSize - indexed);
  }
}
