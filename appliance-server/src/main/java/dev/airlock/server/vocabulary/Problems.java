package dev.airlock.server.vocabulary;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.airlock.audit.AuditLogException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The one place a failure becomes an answer: its HTTP status and code ({@link #of}), and the one
 * writer of OpenAI's error shape ({@link #write}), for the JSON admin API and (status and message)
 * the console's pages alike.
 *
 * <ul>
 *   <li>a {@link Refused} ({@link Refusal}, the review's refusals): its own status and code;
 *   <li>{@link IllegalArgumentException}: 400 {@code invalid_request}, the user's input;
 *   <li>{@link NoSuchElementException}: 404 {@code not_found};
 *   <li>{@link IllegalStateException}: 409 {@code conflict}, the state forbids it;
 *   <li>{@link AuditLogException}: 503 {@code audit_unavailable}, and then nothing was changed;
 *   <li>{@link UncheckedIOException} and {@link ServerFailure}: 500 {@code server_error}, the
 *       appliance's own trouble (disk, database), with what to check.
 * </ul>
 */
public final class Problems {
  /** What the audit log's failure tells the user: the rule, and that nothing happened. */
  public static final String AUDIT_UNAVAILABLE = "The audit log cannot record this change, so it was not made."
      + " Retry later.";

  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private Problems() {}

  /** A failure as the user is told of it. */
  public record Problem(HttpStatus status, String code, String message) {}

  /** The status, code and message of a failure; an unexpected kind is rethrown (a bug, not an answer). */
  public static Problem of(RuntimeException e) {
    return switch (e) {
      case Refused r -> new Problem(HttpStatus.valueOf(r.status()), r.code(), e.getMessage());
      case AuditLogException a -> new Problem(HttpStatus.SERVICE_UNAVAILABLE, "audit_unavailable", AUDIT_UNAVAILABLE);
      case IllegalArgumentException a -> new Problem(HttpStatus.BAD_REQUEST, "invalid_request", e.getMessage());
      case NoSuchElementException n -> new Problem(HttpStatus.NOT_FOUND, "not_found", e.getMessage());
      case ServerFailure f -> new Problem(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", e.getMessage());
      case UncheckedIOException u -> new Problem(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", e.getMessage());
      case IllegalStateException s -> new Problem(HttpStatus.CONFLICT, "conflict", e.getMessage());
      default -> throw e;
    };
  }

  /** The answer to a failure, in OpenAI's error shape. */
  public static MutableHttpResponse<?> answer(RuntimeException e) {
    Problem p = of(e);
    return write(p.status(), p.message(), p.code());
  }

  /** An error in OpenAI's error shape, as every admin API route answers. */
  public static MutableHttpResponse<?> write(HttpStatus status, String message, String code) {
    Map<String, Object> err = new LinkedHashMap<>();
    err.put("message", message);
    err.put("type", "invalid_request_error");
    err.put("param", null);
    err.put("code", code);
    try {
      return HttpResponse.status(status).body(JSON.writeValueAsBytes(Map.of("error", err)))
          .contentType(MediaType.APPLICATION_JSON_TYPE);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A request's JSON body as {@code type}; an empty body is the user's mistake (400). */
  public static <T> T read(byte[] body, Class<T> type) throws IOException {
    if (body == null || body.length == 0) throw new IllegalArgumentException("a JSON body is required");
    return JSON.readValue(body, type);
  }

  /** A body that is not the JSON expected (400). */
  public static MutableHttpResponse<?> notJson(IOException e) {
    return write(HttpStatus.BAD_REQUEST, "The body is not the JSON expected: " + e.getMessage(), "invalid_json");
  }
}
