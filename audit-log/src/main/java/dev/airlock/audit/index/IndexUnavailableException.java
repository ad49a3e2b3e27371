package dev.airlock.audit.index;

/** The index database cannot be opened or read; the log itself is unaffected. */
public final class IndexUnavailableException extends RuntimeException {
  public IndexUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
