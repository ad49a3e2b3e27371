package dev.airlock.server.console;

import dev.airlock.server.vocabulary.Problems;
import io.micronaut.http.HttpStatus;

/**
 * How an operator page shows a refused change: the service's message on the page, with the status
 * the JSON API answers ({@link Problems}: 400 bad input, 403 not yours to do, 404 unknown, 409
 * wrong state, 500 the appliance's own trouble, 503 no audit log).
 */
final class PageErrors {
  private PageErrors() {}

  /** The status for a failure, or the failure rethrown when it is not a user-facing one. */
  static HttpStatus status(RuntimeException e) {
    return Problems.of(e).status();
  }

  static String message(RuntimeException e) {
    String m = Problems.of(e).message();
    if (m == null) m = "the change was refused";
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
