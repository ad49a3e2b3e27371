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
 * APPROVED -> ACTIVE | RETIRED
 * ACTIVE -> RETIRED
 * any state but REVOKED -> REVOKED (final: a revoked model is never served again)
 * </pre>
 */
public enum LifecycleState {
  IMPORTED,
  UNDER_REVIEW,
  DENIED,
  APPROVED,
  ACTIVE,
  RETIRED,
  REVOKED;

  private static final Map<LifecycleState, Set<LifecycleState>> NEXT = new EnumMap<>(LifecycleState.class);

  static {
    NEXT.put(IMPORTED, EnumSet.of(UNDER_REVIEW, DENIED, REVOKED));
    NEXT.put(UNDER_REVIEW, EnumSet.of(APPROVED, DENIED, REVOKED));
    NEXT.put(DENIED, EnumSet.of(UNDER_REVIEW, REVOKED));
    NEXT.put(APPROVED, EnumSet.of(ACTIVE, RETIRED, REVOKED));
    NEXT.put(ACTIVE, EnumSet.of(RETIRED, REVOKED));
    NEXT.put(RETIRED, EnumSet.of(REVOKED));
    NEXT.put(REVOKED, EnumSet.noneOf(LifecycleState.class));
  }

  public Set<LifecycleState> allowedNext() {
    return Set.copyOf(NEXT.get(this));
  }

  public boolean canMoveTo(LifecycleState next) {
    return NEXT.get(this).contains(next);
  }

  /** Only an ACTIVE model may be served. */
  public boolean isServable() {
    return this == ACTIVE;
  }
}
