package dev.airlock.server.gateway;

/** The audit log could not make a record durable; the request it was for must not proceed. */
public class AuditUnavailableException extends Exception {
  public AuditUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
