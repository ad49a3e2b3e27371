package dev.airlock.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.airlock.server.vocabulary.Problems;
import dev.airlock.server.auth.Access;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.io.IOException;

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

  /** An action that builds its own answer (its status depends on what happened). */
  @FunctionalInterface
  public interface Answering {
    MutableHttpResponse<?> run() throws IOException;
  }

  /** Runs the action and answers its result as JSON, or its failure as {@link Problems} maps it. */
  public static MutableHttpResponse<?> run(HttpStatus success, Action action) {
    return answer(() -> json(success, action.run()));
  }

  /** Runs an action that answers itself, its failures answered as {@link Problems} maps them. */
  public static MutableHttpResponse<?> answer(Answering action) {
    try {
      return action.run();
    } catch (IOException e) {
      return Problems.notJson(e);
    } catch (RuntimeException e) {
      return Problems.answer(e);
    }
  }
}
