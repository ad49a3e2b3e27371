package dev.airlock.server.changes;

import java.time.Instant;
import java.util.Optional;

/**
 * A proposed change and where it stands.
 *
 * @param id its id
 * @param change what it changes
 * @param proposedBy the ADMIN who proposed it (a username)
 * @param proposedAt when
 * @param state pending, confirmed or declined
 * @param decidedBy who confirmed or declined it (a username)
 * @param decidedAt when
 * @param passwordReleased for a grant that issues a one-time password: whether the proposer received it
 */
public record PendingChange(String id, Change change, String proposedBy, Instant proposedAt, State state,
                            Optional<String> decidedBy, Optional<Instant> decidedAt, boolean passwordReleased) {
  /** Where a change stands. */
  public enum State {
    /** Waiting for a DPO. */
    PENDING,
    /** A DPO confirmed it; it was applied. */
    CONFIRMED,
    /** A DPO declined it, or its proposer withdrew it; nothing was applied. */
    DECLINED
  }

  public String summary() {
    return change.summary();
  }

  /** Confirmed, gives a one-time password, and its proposer has not collected it yet. */
  public boolean passwordWaiting() {
    return state == State.CONFIRMED && change instanceof RoleGrant g && g.comesWithPassword() && !passwordReleased;
  }
}
