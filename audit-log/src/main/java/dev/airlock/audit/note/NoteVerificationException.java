package dev.airlock.audit.note;

/** A signed note is well-formed but not signed by the trusted key. */
public final class NoteVerificationException extends Exception {
  public NoteVerificationException(String message) {
    super(message);
  }
}
