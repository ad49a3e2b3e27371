package dev.airlock.server.auditing;

/**
 * The audit log could not record an access (a search, a view, an export, an erasure step), so the
 * access was refused and nothing was returned: no unaudited look at the audit trail. The web
 * layer answers 503; the message says what failed and what to do.
 */
public final class AuditRefusedException extends RuntimeException {
  public AuditRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
