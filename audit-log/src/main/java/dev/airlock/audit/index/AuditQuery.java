package dev.airlock.audit.index;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A search of the audit index: every filter given must match; pages are keyset-paged by log index
 * on (time, log index): the cursor is where the previous page ended, so a page costs the same on
 * page 1 and on page 10,000, and entries appended meanwhile never shift what a later page shows.
 *
 * <pre>{@code
 * QueryPage page = index.search(AuditQuery.newestFirst().app("crm").model("llama-3-8b")
 *     .from(Instant.parse("2026-11-01T00:00:00Z")).limit(50));
 * QueryPage more = index.search(query.after(page.next().orElseThrow()));
 * }</pre>
 */
public record AuditQuery(
    Order order,
    Optional<Instant> from,
    Optional<Instant> to,
    Optional<String> type,
    Optional<String> app,
    Optional<String> user,
    Optional<String> subject,
    Optional<String> model,
    Optional<String> requestId,
    Optional<String> status,
    Optional<PageCursor> after,
    int limit) {

  /** Page size unless the caller says otherwise: one screen of a console table. */
  public static final int DEFAULT_LIMIT = 50;

  /** Largest page: keeps one query's memory and time bounded whatever a caller asks. */
  public static final int MAX_LIMIT = 1000;

  public enum Order {
    NEWEST_FIRST,
    OLDEST_FIRST
  }

  public AuditQuery {
    Objects.requireNonNull(order, "order");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("page size must be between 1 and " + MAX_LIMIT + ", got " + limit);
    }
    if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
      throw new IllegalArgumentException("the time range is empty: 'from' (" + from.get()
          + ", inclusive) must be before 'to' (" + to.get() + ", exclusive)");
    }
  }

  public static AuditQuery newestFirst() {
    return new AuditQuery(Order.NEWEST_FIRST, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        DEFAULT_LIMIT);
  }

  public static AuditQuery oldestFirst() {
    return newestFirst().withOrder(Order.OLDEST_FIRST);
  }

  private AuditQuery withOrder(Order o) {
    return new AuditQuery(o, from, to, type, app, user, subject, model, requestId, status, after, limit);
  }

  /** Entries at or after this time. */
  public AuditQuery from(Instant t) {
    return new AuditQuery(order, Optional.of(t), to, type, app, user, subject, model, requestId, status, after, limit);
  }

  /** Entries strictly before this time. */
  public AuditQuery to(Instant t) {
    return new AuditQuery(order, from, Optional.of(t), type, app, user, subject, model, requestId, status, after, limit);
  }

  public AuditQuery type(String t) {
    return new AuditQuery(order, from, to, Optional.of(t), app, user, subject, model, requestId, status, after, limit);
  }

  /** Entries whose actor is this app. */
  public AuditQuery app(String appId) {
    return new AuditQuery(order, from, to, type, Optional.of(appId), user, subject, model, requestId, status, after, limit);
  }

  /** Entries whose actor is this user (matched by pseudonymous tag; the index holds no user ids). */
  public AuditQuery user(String userId) {
    return new AuditQuery(order, from, to, type, app, Optional.of(userId), subject, model, requestId, status, after, limit);
  }

  /** Entries carrying this subject's personal data (matched by tag, as in the leaves). */
  public AuditQuery subject(String s) {
    return new AuditQuery(order, from, to, type, app, user, Optional.of(s), model, requestId, status, after, limit);
  }

  public AuditQuery model(String m) {
    return new AuditQuery(order, from, to, type, app, user, subject, Optional.of(m), requestId, status, after, limit);
  }

  public AuditQuery requestId(String r) {
    return new AuditQuery(order, from, to, type, app, user, subject, model, Optional.of(r), status, after, limit);
  }

  public AuditQuery status(String s) {
    return new AuditQuery(order, from, to, type, app, user, subject, model, requestId, Optional.of(s), after, limit);
  }

  /** The page after the one that ended at this cursor ({@link QueryPage#next()}). */
  public AuditQuery after(PageCursor cursor) {
    return new AuditQuery(order, from, to, type, app, user, subject, model, requestId, status, Optional.of(cursor), limit);
  }

  public AuditQuery limit(int n) {
    return new AuditQuery(order, from, to, type, app, user, subject, model, requestId, status, after, n);
  }
}
