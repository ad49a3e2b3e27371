package dev.airlock.server.vocabulary;

/**
 * The appliance's own trouble, not the request's (500): its database failed, its disk refused a
 * write. The message says what failed and what to check.
 */
public final class ServerFailure extends RuntimeException {
  public ServerFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
