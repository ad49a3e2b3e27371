package dev.airlock.audit.index;

import dev.airlock.audit.Actor;
import java.time.Instant;
import java.util.Optional;

/**
 * What the index knows about one entry: enough to list it, nothing personal. The user id and the
 * subject of a record are not here; the payload never is. Open it with
 * {@link AuditIndex#read(long, PayloadAccess)}.
 *
 * @param index the entry's log index
 * @param time when it happened
 * @param type the record type
 * @param actorKind app, user or system
 * @param actorId the app id or system component; empty for a user (personal data)
 * @param model the model id, if any
 * @param requestId the gateway request id, if any
 * @param status the outcome
 * @param hasSubject whether the record carries someone's personal data
 */
public record IndexedEntry(
    long index,
    Instant time,
    String type,
    Actor.Kind actorKind,
    Optional<String> actorId,
    Optional<String> model,
    Optional<String> requestId,
    String status,
    boolean hasSubject) {

  /** The cursor of a page that ends with this entry. */
  public PageCursor cursor() {
    return PageCursor.of(time, index);
  }
}
