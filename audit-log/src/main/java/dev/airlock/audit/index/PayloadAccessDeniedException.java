package dev.airlock.audit.index;

/** A payload was asked for under a grant that does not cover its record type. */
public final class PayloadAccessDeniedException extends SecurityException {
  public PayloadAccessDeniedException(String message) {
    super(message);
  }
}
