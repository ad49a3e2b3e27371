package dev.airlock.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.airlock.audit.AuditLogException;
import dev.airlock.server.Refusal;
import dev.airlock.server.apps.AdminController;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Principal;
import io.micronaut.http.HttpRequest;
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

  /**
   * The signed-in person making the request, by username. The gate already keeps the operator
   * token off every route that calls this; refusing it here too keeps a wrongly marked route closed.
   */
  public static String person(HttpRequest<?> request) {
    Principal p = Access.require(request);
    if (!p.isUser()) throw Refusal.forbidden("person_required", Access.OPERATOR_TOKEN_REFUSED);
    return p.username();
  }

  public static MutableHttpResponse<?> json(HttpStatus status, Object body) {
    try {
      return HttpResponse.status(status).body(JSON.writeValueAsBytes(body)).contentType(MediaType.APPLICATION_JSON_TYPE);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An action that builds its own answer (its status depends on what happened). */
  @FunctionalInterface
  public interface Answering {
    MutableHttpResponse<?> run() throws IOException;
  }

  /**
   * Runs the action: bad input is 400, a {@link Refusal} its own status (403 who may not, 409 the
   * state forbids it) and code, an unknown thing 404, a state that forbids it 409, an audit log
   * that cannot record it 503 (and then nothing was changed).
   */
  public static MutableHttpResponse<?> run(HttpStatus success, Action action) {
    return answer(() -> json(success, action.run()));
  }

  /** Runs an action that answers itself, its failures mapped as {@link #run} maps them. */
  public static MutableHttpResponse<?> answer(Answering action) {
    try {
      return action.run();
    } catch (Refusal e) {
      return AdminController.problem(HttpStatus.valueOf(e.status()), e.getMessage(), e.code());
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
