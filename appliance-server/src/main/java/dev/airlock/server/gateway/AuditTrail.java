package dev.airlock.server.gateway;

/**
 * Where the gateway writes its audit records. {@link #append} returns only once the record is
 * durable; when it cannot be made durable it throws, and the caller refuses the request (fail
 * closed: no unaudited inference).
 */
public interface AuditTrail {
  /** Appends one record durably and returns its index in the log. */
  long append(AuditEvent event) throws AuditUnavailableException;
}
