package dev.airlock.audit.kafka;

/** A topic holds something the mirror did not write, or that contradicts the local log. */
public final class MirrorFormatException extends RuntimeException {
  public MirrorFormatException(String message) {
    super(message);
  }
}
