package dev.airlock.audit.proof;

/** A proof did not verify; the message says which check failed and with what values. */
public final class ProofException extends Exception {
  public ProofException(String message) {
    super(message);
  }
}
