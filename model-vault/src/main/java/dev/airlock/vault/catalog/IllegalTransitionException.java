package dev.airlock.vault.catalog;

/** A lifecycle move the table in {@link LifecycleState} does not allow, or a stale one. */
public final class IllegalTransitionException extends RuntimeException {
  public IllegalTransitionException(String message) {
    super(message);
  }
}
