package dev.airlock.audit.index;

import java.util.List;
import java.util.Optional;

/**
 * One page of results.
 *
 * @param entries at most the query's limit, in the query's order
 * @param next the cursor for the following page ({@link AuditQuery#after}); empty on the last page
 * @param indexed entries the index held when the page was read (indexes 0 .. indexed-1)
 * @param logSize entries in the log at that moment
 */
public record QueryPage(List<IndexedEntry> entries, Optional<PageCursor> next, long indexed, long logSize) {
  public QueryPage {
    entries = List.copyOf(entries);
  }

  /** Entries in the log that the index has not caught up with; they are missing from this page. */
  public long behind() {
    return Math.max(0, logSize - indexed);
  }

  /** True when the page reflects the whole log. */
  public boolean complete() {
    return behind() == 0;
  }
}
