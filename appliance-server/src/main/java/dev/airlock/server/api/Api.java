package dev.airlock.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.airlock.audit.AuditLogException;
import dev.airlock.server.apps.AdminController;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.io.IOException;
import java.util.NoSuchElementException;

/** How every JSON admin API route answers: the result as JSON, or an error mapped to its status. */
public final class Api {
  static final ObjectMapper JSON = JsonMapper.builder().build();

  private Api() {}

  /** An action that may fail with a user's mistake. */
  @FunctionalInterface
  public interface Action {
    Object run() throws IOException;
  }

  public static MutableHttpResponse<?> json(HttpStatus status, Object body) {
    try {
      return HttpResponse.status(status).body(JSON.writeValueAsBytes(body)).contentType(MediaType.APPLICATION_JSON_TYPE);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs the action: bad input is 400, an unknown thing 404, a state that forbids it 409, an
   * audit log that cannot record it 503 (and then nothing was changed).
   */
  public static MutableHttpResponse<?> run(HttpStatus success, Action action) {
    try {
      return json(success, action.run());
    } catch (IllegalArgumentException e) {
      return AdminController.problem(HttpStatus.BAD_REQUEST, e.getMessage(), "invalid_request");
    } catch (NoSuchElementException e) {
      return AdminController.problem(HttpStatus.NOT_FOUND, e.getMessage(), "not_found");
    } catch (IllegalStateException e) {
      return AdminController.problem(HttpStatus.CONFLICT, e.getMessage(), "conflict");
    } catch (AuditLogException e) {
      return AdminController.problem(HttpStatus.SERVICE_UNAVAILABLE,
          "The audit log cannot record this change, so it was not made. Retry later.", "audit_unavailable");
    } catch (IOException e) {
      return AdminController.problem(HttpStatus.BAD_REQUEST, "The body is not the JSON expected: " + e.getMessage(), "invalid_json");
    }
  }
}
