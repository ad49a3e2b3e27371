package dev.airlock.server.gateway;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.exceptions.ContentLengthExceededException;
import java.util.LinkedHashMap;
import java.util.Map;

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
    Map<String, Object> err = new LinkedHashMap<>();
    err.put("message", message);
    err.put("type", "invalid_request_error");
    err.put("param", null);
    err.put("code", code);
    try {
      return HttpResponse.status(status).body(Gateway.JSON.writeValueAsBytes(Map.of("error", err)))
          .contentType(MediaType.APPLICATION_JSON_TYPE);
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
