package dev.airlock.server.gateway;

import dev.airlock.server.vocabulary.Problems;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.exceptions.ContentLengthExceededException;

/**
 * A body beyond the server's hard limit, refused by the framework before any route runs, answered
 * in OpenAI's error shape so that clients see one format.
 */
@Controller
public class GatewayErrors {
  @Error(exception = ContentLengthExceededException.class, global = true)
  public MutableHttpResponse<?> tooLarge(HttpRequest<?> request, ContentLengthExceededException e) {
    return answer(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "The request body exceeds the server's limit ("
        + e.getMessage() + "). Shorten the prompt.", "request_too_large");
  }

  static MutableHttpResponse<?> answer(HttpStatus status, String message, String code) {
    return Problems.write(status, message, code);
  }
}
