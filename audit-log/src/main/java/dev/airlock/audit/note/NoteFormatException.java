package dev.airlock.audit.note;

/** Text that should be a signed note, checkpoint, verifier key or proof is not well-formed. */
public final class NoteFormatException extends Exception {
  public NoteFormatException(String message) {
    super(message);
  }
}
