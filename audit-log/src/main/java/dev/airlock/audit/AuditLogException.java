package dev.airlock.audit;

/**
 * The log could not keep a promise: an append was not made durable, the files on disk are not
 * what the log wrote, or a key is missing. Callers that must fail closed (the gateway) treat any of
 * these as "nothing was recorded".
 */
public class AuditLogException extends RuntimeException {
  public AuditLogException(String message) {
    super(message);
  }

  public AuditLogException(String message, Throwable cause) {
    super(message, cause);
  }
}
