package dev.airlock.server.console;

import dev.airlock.audit.AuditLogException;
import dev.airlock.server.Refusal;
import io.micronaut.http.HttpStatus;
import java.util.NoSuchElementException;

/**
 * How an operator page shows a refused change: the service's message on the page, with the status
 * the JSON API would answer (400 bad input, 403 not yours to do, 404 unknown, 409 wrong state,
 * 503 no audit log).
 */
final class PageErrors {
  private PageErrors() {}

  /** The status for a failure, or the failure rethrown when it is not a user-facing one. */
  static HttpStatus status(RuntimeException e) {
    return switch (e) {
      case Refusal x -> HttpStatus.valueOf(x.status());
      case NoSuchElementException x -> HttpStatus.NOT_FOUND;
      case IllegalArgumentException x -> HttpStatus.BAD_REQUEST;
      case IllegalStateException x -> HttpStatus.CONFLICT;
      case AuditLogException x -> HttpStatus.SERVICE_UNAVAILABLE;
      default -> throw e;
    };
  }

  static String message(RuntimeException e) {
    if (e instanceof AuditLogException) return "The audit log cannot record this change, so it was not made. Retry later.";
    String m = e.getMessage() == null ? "the change was refused" : e.getMessage();
    return SignInController.capitalize(m) + (m.endsWith(".") ? "" : ".");
  }

  /** A form's number field: blank means "not given". */
  static Long number(String value, String label) {
    if (value == null || value.isBlank()) return null;
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(label + " must be a whole number; found '" + value.strip() + "'");
    }
  }
}
