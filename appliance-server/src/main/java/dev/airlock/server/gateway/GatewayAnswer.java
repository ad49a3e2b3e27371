package dev.airlock.server.gateway;

import io.micronaut.http.HttpStatus;
import io.micronaut.http.sse.Event;
import java.util.LinkedHashMap;
import java.util.Map;
import reactor.core.publisher.Flux;

/**
 * The gateway's answer, independent of the HTTP layer that writes it: a JSON body, or (for a
 * streamed completion) the server-sent events in the order the backend sent them. Written by
 * {@link GatewayController} through Micronaut and by {@link GatewayFastPath} on the connection's
 * pipeline; both write the same status, headers and bytes.
 */
public final class GatewayAnswer {
  private final int status;
  private final Map<String, String> headers = new LinkedHashMap<>(4);
  private final byte[] body;
  private final Flux<Event<String>> events;

  private GatewayAnswer(int status, byte[] body, Flux<Event<String>> events) {
    this.status = status;
    this.body = body;
    this.events = events;
  }

  /** A JSON body. A status HTTP does not define is relayed as 502, as it is not an answer a client can act on. */
  static GatewayAnswer json(int status, byte[] body) {
    return new GatewayAnswer(known(status), body, null);
  }

  private static int known(int status) {
    try {
      return HttpStatus.valueOf(status).getCode();
    } catch (IllegalArgumentException e) {
      return HttpStatus.BAD_GATEWAY.getCode();
    }
  }

  /** 200 with {@code text/event-stream}: one SSE event per element, the stream ends when the flux does. */
  static GatewayAnswer stream(Flux<Event<String>> events) {
    return new GatewayAnswer(200, null, events);
  }

  GatewayAnswer header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public int status() {
    return status;
  }

  /** Headers beyond the content type and length, in the order they were set. */
  public Map<String, String> headers() {
    return headers;
  }

  public boolean streamed() {
    return events != null;
  }

  /** The JSON body; null when {@link #streamed()}. */
  public byte[] body() {
    return body;
  }

  /** The events of a streamed answer; null otherwise. */
  public Flux<Event<String>> events() {
    return events;
  }
}
