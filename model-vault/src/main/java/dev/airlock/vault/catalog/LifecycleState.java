package dev.airlock.vault.catalog;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where a model version is in its life. The allowed transitions are listed here and nowhere else:
 *
 * <pre>
 * IMPORTED -> UNDER_REVIEW | DENIED
 * UNDER_REVIEW -> APPROVED | DENIED
 * DENIED -> UNDER_REVIEW          (new facts, new review)
 * APPROVED -> ACTIVE | RETIRED | SUSPENDED
 * ACTIVE -> RETIRED | SUSPENDED
 * SUSPENDED -> UNDER_REVIEW | DENIED | RETIRED   (judged again by the active policy and the DPOs)
 * any state but REVOKED -> REVOKED (final: a revoked model is never served again)
 * </pre>
 *
 * SUSPENDED is where an approved or active version goes when what it was approved on no longer
 * holds: a policy or organization profile change made its verdict worse, or a key that vouched
 * for it was revoked. It is not served; only a new review and the DPOs' approval bring it back.
 */
public enum LifecycleState {
  IMPORTED,
  UNDER_REVIEW,
  DENIED,
  APPROVED,
  ACTIVE,
  RETIRED,
  REVOKED,
  SUSPENDED;

  private static final Map<LifecycleState, Set<LifecycleState>> NEXT = new EnumMap<>(LifecycleState.class);

  static {
    NEXT.put(IMPORTED, EnumSet.of(UNDER_REVIEW, DENIED, REVOKED));
    NEXT.put(UNDER_REVIEW, EnumSet.of(APPROVED, DENIED, REVOKED));
    NEXT.put(DENIED, EnumSet.of(UNDER_REVIEW, REVOKED));
    NEXT.put(APPROVED, EnumSet.of(ACTIVE, RETIRED, SUSPENDED, REVOKED));
    NEXT.put(ACTIVE, EnumSet.of(RETIRED, SUSPENDED, REVOKED));
    NEXT.put(SUSPENDED, EnumSet.of(UNDER_REVIEW, DENIED, RETIRED, REVOKED));
    NEXT.put(RETIRED, EnumSet.of(REVOKED));
    NEXT.put(REVOKED, EnumSet.noneOf(LifecycleState.class));
  }

  public Set<LifecycleState> allowedNext() {
    return Set.copyOf(NEXT.get(this));
  }

  public boolean canMoveTo(LifecycleState next) {
    return NEXT.get(this).contains(next);
  }

  /** Approved by the DPOs and not since suspended, retired or revoked: APPROVED or ACTIVE. */
  public boolean isApproved() {
    return this == APPROVED || this == ACTIVE;
  }

  /** Only an ACTIVE model may be served. */
  public boolean isServable() {
    return this == ACTIVE;
  }
}
