package dev.airlock.server.gateway;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogException;
import dev.airlock.audit.AuditRecord;
import dev.airlock.server.apps.App;
import dev.airlock.server.apps.Apps;
import dev.airlock.server.apps.Caller;
import dev.airlock.server.backend.ActiveModels;
import dev.airlock.server.backend.BackendClient;
import dev.airlock.server.backend.BackendSupervisor;
import dev.airlock.server.backend.Replica;
import dev.airlock.server.backend.ResolvedModel;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.sse.Event;
import jakarta.inject.Singleton;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * The OpenAI-compatible gateway: authenticates the app key, checks the model grant and limits,
 * durably audits the request, forwards it to the least busy healthy replica, relays the answer
 * (chunk by chunk when streaming) and audits the response.
 *
 * <p>Fail closed, in one place: if the {@code inference.request} record cannot be made durable,
 * the request is answered 503 and nothing is forwarded.
 */
@Singleton
public class Gateway {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  public static final String REQUEST_ID_HEADER = "x-request-id";
  public static final String OVERHEAD_HEADER = "x-airlock-overhead-ms";

  /** Keeps numbers exactly as the client wrote them when the body has to be rewritten. */
  static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .build();

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long STARTED = System.currentTimeMillis() / 1000;

  private final Apps apps;
  private final ActiveModels models;
  private final BackendSupervisor supervisor;
  private final BackendClient client;
  private final AuditLog audit;
  private final RateLimiter limiter;
  private final GatewayMetrics metrics;

  public Gateway(Apps apps, ActiveModels models, BackendSupervisor supervisor, BackendClient client, AuditLog audit,
                 RateLimiter limiter, GatewayMetrics metrics) {
    this.apps = apps;
    this.models = models;
    this.supervisor = supervisor;
    this.client = client;
    this.audit = audit;
    this.limiter = limiter;
    this.metrics = metrics;
  }

  /** What one request has established so far; fills in as it passes each check. */
  private static final class Call {
    final long start = System.nanoTime();
    final String requestId = newRequestId();
    final String route;
    Caller caller;
    String requested;
    ResolvedModel resolved;
    String subject;
    boolean stream;
    long forwardedAt;
    long firstChunkAt;
    long backendNanos;
    Replica replica;

    Call(String route) {
      this.route = route;
    }

    String app() {
      return caller == null ? "" : caller.app().id();
    }

    String model() {
      return resolved != null ? resolved.model().id() : requested == null ? "" : requested;
    }
  }

  public MutableHttpResponse<?> listModels(HttpRequest<?> request) {
    Call call = new Call("/v1/models");
    try {
      App app = authenticate(request, call).app();
      List<Map<String, Object>> data = new ArrayList<>();
      for (String name : models.names()) {
        if (app.mayUse(name)) data.add(modelCard(name));
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("object", "list");
      body.put("data", data);
      return finish(call, HttpResponse.ok(json(body)).contentType(MediaType.APPLICATION_JSON_TYPE), 200);
    } catch (GatewayError e) {
      return error(call, e);
    }
  }

  public MutableHttpResponse<?> getModel(HttpRequest<?> request, String id) {
    Call call = new Call("/v1/models/{id}");
    try {
      App app = authenticate(request, call).app();
      if (!app.mayUse(id) || models.resolve(id).isEmpty()) throw GatewayError.modelNotFound(id);
      return finish(call, HttpResponse.ok(json(modelCard(id))).contentType(MediaType.APPLICATION_JSON_TYPE), 200);
    } catch (GatewayError e) {
      return error(call, e);
    }
  }

  /** POST /v1/chat/completions, /v1/completions, /v1/embeddings. */
  public MutableHttpResponse<?> infer(String route, HttpRequest<?> request, byte[] body) {
    Call call = new Call(route);
    try {
      App app = authenticate(request, call).app();
      if (body == null || body.length == 0) {
        throw GatewayError.badRequest("The request body is empty: send a JSON object such as"
            + " {\"model\":\"chat-default\",\"messages\":[...]}.", null, "invalid_json");
      }
      if (body.length > app.maxRequestBytes()) throw GatewayError.tooLarge(body.length, app.maxRequestBytes());
      ObjectNode json = parse(body);
      call.subject = subject(json, request, app);
      JsonNode model = json.get("model");
      if (model == null || !model.isTextual() || model.asText().isBlank()) {
        throw GatewayError.badRequest("'model' is required: the id or alias of a model this key may use"
            + " (GET /v1/models lists them).", "model", "missing_model");
      }
      call.requested = model.asText();
      validateShape(route, json);
      JsonNode stream = json.get("stream");
      if (stream != null && !stream.isNull() && !stream.isBoolean()) {
        throw GatewayError.badRequest("'stream' must be true or false; found " + stream, "stream", "invalid_type");
      }
      call.stream = stream != null && stream.asBoolean(false) && !route.equals("/v1/embeddings");
      if (!app.mayUse(call.requested)) {
        refuse(call, "model_not_granted");
        throw GatewayError.modelNotFound(call.requested);
      }
      call.resolved = models.resolve(call.requested).orElse(null);
      if (call.resolved == null) {
        refuse(call, "model_not_active");
        throw GatewayError.modelNotFound(call.requested);
      }
      try {
        limiter.admit(app);
      } catch (GatewayError limited) {
        refuse(call, "rate_limited_" + limited.type());
        throw limited;
      }
      boolean injectedUsage = call.stream && !json.path("stream_options").path("include_usage").asBoolean(false);
      byte[] forward = rewrite(body, json, call, injectedUsage);
      auditRequest(call, json);
      Replica replica = supervisor.acquire(call.resolved.model().id()).orElse(null);
      if (replica == null) {
        auditResponse(call, Outcome.BACKEND_ERROR, 503, new ResponseAssembler(), "no healthy replica");
        throw GatewayError.backendUnavailable(call.resolved.model().id());
      }
      call.replica = replica;
      return call.stream ? streaming(call, forward, injectedUsage) : whole(call, forward);
    } catch (GatewayError e) {
      return error(call, e);
    }
  }

  private MutableHttpResponse<?> whole(Call call, byte[] forward) {
    Replica replica = call.replica;
    int status;
    byte[] answer;
    call.forwardedAt = System.nanoTime();
    try {
      var response = client.forwardWhole(replica, call.route, forward).get();
      answer = response.body();
      status = response.statusCode();
    } catch (ExecutionException | IllegalArgumentException e) {
      // IllegalArgumentException: the replica was removed (model deactivated) after it was chosen.
      call.backendNanos = System.nanoTime() - call.forwardedAt;
      supervisor.failed(replica);
      auditResponse(call, Outcome.BACKEND_ERROR, 503, new ResponseAssembler(), "backend failed: " + rootMessage(e));
      throw GatewayError.backendFailed(call.resolved.model().id());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      auditResponse(call, Outcome.CLIENT_CANCELLED, 499, new ResponseAssembler(), "interrupted");
      throw GatewayError.backendFailed(call.resolved.model().id());
    } finally {
      supervisor.release(replica);
    }
    call.backendNanos = System.nanoTime() - call.forwardedAt;
    ResponseAssembler assembled = new ResponseAssembler();
    try {
      assembled.whole(JSON.readTree(answer));
    } catch (IOException | RuntimeException e) {
      // A backend answering something that is not JSON: recorded as an error, relayed as it is.
      status = status / 100 == 2 ? 502 : status;
    }
    Outcome outcome = status / 100 == 2 && !assembled.failed() ? Outcome.COMPLETED : Outcome.BACKEND_ERROR;
    limiter.used(call.caller.app(), assembled.totalTokens());
    metrics.tokens(call.app(), call.model(), assembled.promptTokens(), assembled.completionTokens());
    // The answer is released only once its record is durable.
    auditResponse(call, outcome, status, assembled, null);
    MutableHttpResponse<byte[]> response = HttpResponse.<byte[]>status(httpStatus(status)).body(answer)
        .contentType(MediaType.APPLICATION_JSON_TYPE);
    return finish(call, response, status);
  }

  private MutableHttpResponse<?> streaming(Call call, byte[] forward, boolean injectedUsage) {
    Replica replica = call.replica;
    call.forwardedAt = System.nanoTime();
    java.net.http.HttpResponse<InputStream> response;
    try {
      response = client.forward(replica, call.route, forward).get();
    } catch (ExecutionException | IllegalArgumentException e) {
      supervisor.release(replica);
      supervisor.failed(replica);
      auditResponse(call, Outcome.BACKEND_ERROR, 503, new ResponseAssembler(), "backend failed: " + rootMessage(e));
      throw GatewayError.backendFailed(call.resolved.model().id());
    } catch (InterruptedException e) {
      supervisor.release(replica);
      Thread.currentThread().interrupt();
      throw GatewayError.backendFailed(call.resolved.model().id());
    }
    if (response.statusCode() != 200) {
      // vLLM refuses bad parameters before streaming, with a JSON error: relay it whole.
      byte[] answer;
      try (InputStream in = response.body()) {
        answer = in.readAllBytes();
      } catch (IOException e) {
        answer = new byte[0];
      } finally {
        supervisor.release(replica);
      }
      ResponseAssembler assembled = new ResponseAssembler();
      try {
        assembled.whole(JSON.readTree(answer));
      } catch (IOException | RuntimeException ignored) {
        // recorded as a backend error without details
      }
      auditResponse(call, Outcome.BACKEND_ERROR, response.statusCode(), assembled, null);
      return finish(call, HttpResponse.<byte[]>status(httpStatus(response.statusCode())).body(answer)
          .contentType(MediaType.APPLICATION_JSON_TYPE), response.statusCode());
    }
    long overhead = call.forwardedAt - call.start;
    InputStream body = response.body();
    AtomicBoolean cancelled = new AtomicBoolean();
    Flux<Event<String>> events = Flux.create(sink -> {
      Thread relay = Thread.ofVirtual().name("relay-" + call.requestId).unstarted(
          () -> relay(call, body, sink, cancelled, injectedUsage));
      sink.onCancel(() -> {
        // The client went away: stop reading, which aborts the backend request.
        cancelled.set(true);
        relay.interrupt();
        closeQuietly(body);
      });
      relay.start();
    });
    MutableHttpResponse<Flux<Event<String>>> out = HttpResponse.ok(events).contentType(MediaType.TEXT_EVENT_STREAM_TYPE);
    out.header(REQUEST_ID_HEADER, call.requestId);
    out.header(OVERHEAD_HEADER, millis(overhead));
    out.header(HttpHeaders.CACHE_CONTROL, "no-cache");
    return out;
  }

  /** Relays a backend's SSE stream event by event and audits how it ended. */
  private void relay(Call call, InputStream body, FluxSink<Event<String>> sink, AtomicBoolean cancelled,
                     boolean injectedUsage) {
    ResponseAssembler assembled = new ResponseAssembler();
    Outcome outcome = Outcome.BACKEND_ERROR;
    String detail = null;
    boolean done = false;
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("data:")) {
          if (!data.isEmpty()) data.append('\n');
          data.append(line.startsWith("data: ") ? line.substring(6) : line.substring(5));
          continue;
        }
        if (!line.isEmpty() || data.isEmpty()) continue;
        String event = data.toString();
        data.setLength(0);
        if (call.firstChunkAt == 0) {
          call.firstChunkAt = System.nanoTime();
          metrics.timeToFirstToken(call.model(), call.firstChunkAt - call.start);
        }
        if (event.equals("[DONE]")) {
          done = true;
          sink.next(Event.of(event));
          break;
        }
        JsonNode chunk = JSON.readTree(event);
        assembled.chunk(chunk);
        boolean usageOnly = chunk.path("choices").isArray() && chunk.path("choices").isEmpty() && chunk.has("usage");
        if (!(injectedUsage && usageOnly)) sink.next(Event.of(event));
      }
      if (done && !assembled.failed()) {
        outcome = Outcome.COMPLETED;
      } else if (!done) {
        detail = "the backend closed the stream before [DONE]";
        failMidStream(call, sink);
      }
    } catch (IOException | RuntimeException e) {
      if (cancelled.get()) {
        outcome = Outcome.CLIENT_CANCELLED;
        detail = "the client disconnected";
      } else {
        detail = "the backend failed mid-stream: " + e.getMessage();
        failMidStream(call, sink);
      }
    } finally {
      call.backendNanos = System.nanoTime() - call.forwardedAt;
      supervisor.release(call.replica);
    }
    if (cancelled.get() && outcome != Outcome.COMPLETED) outcome = Outcome.CLIENT_CANCELLED;
    limiter.used(call.caller.app(), assembled.totalTokens());
    metrics.tokens(call.app(), call.model(), assembled.promptTokens(), assembled.completionTokens());
    int status = outcome == Outcome.COMPLETED ? 200 : outcome == Outcome.CLIENT_CANCELLED ? 499 : 502;
    try {
      auditResponse(call, outcome, status, assembled, detail);
    } catch (GatewayError e) {
      LOG.error("inference.response could not be recorded after streaming: requestId={}", call.requestId);
    }
    metrics.request(call.app(), call.model(), status, System.nanoTime() - call.start,
        (call.forwardedAt - call.start));
    sink.complete();
  }

  private void failMidStream(Call call, FluxSink<Event<String>> sink) {
    if (call.replica != null) supervisor.failed(call.replica);
    // Same shape vLLM sends for an error inside a stream, then the end marker: the client sees a clean failure.
    sink.next(Event.of("{\"error\":{\"message\":\"The backend failed during the stream; it was not retried."
        + " Send the request again.\",\"type\":\"server_error\",\"param\":null,\"code\":502}}"));
    sink.next(Event.of("[DONE]"));
  }

  private Caller authenticate(HttpRequest<?> request, Call call) {
    String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
    if (header == null || header.isBlank()) throw GatewayError.missingKey();
    String key = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
    if (key.isEmpty()) throw GatewayError.missingKey();
    call.caller = apps.authenticate(key).orElseThrow(GatewayError::invalidKey);
    return call.caller;
  }

  private static ObjectNode parse(byte[] body) {
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (IOException e) {
      throw GatewayError.badRequest("The request body is not valid JSON: " + firstLine(e instanceof com.fasterxml.jackson.core.JsonProcessingException jp ? jp.getOriginalMessage() : e.getMessage())
          + ". Send a JSON object.", null, "invalid_json");
    }
    if (!(node instanceof ObjectNode object)) {
      throw GatewayError.badRequest("The request body must be a JSON object; found "
          + (node == null ? "nothing" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)) + ".", null, "invalid_json");
    }
    return object;
  }

  private static void validateShape(String route, ObjectNode json) {
    switch (route) {
      case "/v1/chat/completions" -> {
        JsonNode messages = json.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
          throw GatewayError.badRequest("'messages' is required: a non-empty array of {\"role\",\"content\"} objects.",
              "messages", "invalid_messages");
        }
      }
      case "/v1/completions" -> {
        if (!json.hasNonNull("prompt")) {
          throw GatewayError.badRequest("'prompt' is required: a string or an array of strings.", "prompt", "missing_prompt");
        }
      }
      case "/v1/embeddings" -> {
        if (!json.hasNonNull("input")) {
          throw GatewayError.badRequest("'input' is required: a string or an array of strings.", "input", "missing_input");
        }
      }
      default -> throw new IllegalArgumentException("not a gateway route: " + route);
    }
  }

  /** The OpenAI {@code user} field, or the app's configured header, names the audit subject. */
  private static String subject(ObjectNode json, HttpRequest<?> request, App app) {
    JsonNode user = json.get("user");
    if (user != null && user.isTextual() && !user.asText().isBlank()) return user.asText();
    return app.subjectHeader().map(h -> request.getHeaders().get(h)).filter(v -> !v.isBlank()).orElse(null);
  }

  /**
   * The body sent on: the client's bytes untouched, unless an alias must become the model id or a
   * stream needs its usage reported (for the audit record and the token quota). Only those fields change.
   */
  private static byte[] rewrite(byte[] body, ObjectNode json, Call call, boolean injectUsage) {
    boolean alias = call.resolved.alias().isPresent();
    if (!alias && !injectUsage) return body;
    ObjectNode copy = json.deepCopy();
    if (alias) copy.put("model", call.resolved.model().id());
    if (injectUsage) {
      JsonNode options = copy.get("stream_options");
      ObjectNode o = options instanceof ObjectNode existing ? existing : copy.putObject("stream_options");
      o.put("include_usage", true);
    }
    try {
      return JSON.writeValueAsBytes(copy);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void auditRequest(Call call, ObjectNode json) {
    AuditRecord.Builder b = record("inference.request", call, "ok");
    b.indexField("stream", Boolean.toString(call.stream));
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("request", json);
    append(b, payload);
  }

  private void auditResponse(Call call, Outcome outcome, int httpStatus, ResponseAssembler assembled, String detail) {
    AuditRecord.Builder b = record("inference.response", call, outcome.label());
    b.indexField("httpStatus", Integer.toString(httpStatus));
    if (assembled.finishReason() != null) b.indexField("finishReason", assembled.finishReason());
    if (assembled.usage() != null) {
      b.indexField("promptTokens", Long.toString(assembled.promptTokens()));
      b.indexField("completionTokens", Long.toString(assembled.completionTokens()));
      b.indexField("totalTokens", Long.toString(assembled.totalTokens()));
    }
    b.indexField("latencyMs", millis(System.nanoTime() - call.start));
    if (call.firstChunkAt != 0) b.indexField("timeToFirstTokenMs", millis(call.firstChunkAt - call.start));
    if (call.replica != null) b.indexField("replica", Integer.toString(call.replica.index()));
    if (detail != null) b.indexField("detail", detail);
    append(b, assembled.payload());
  }

  /** Authenticated requests refused before forwarding (ungranted model, limits): recorded, without their prompt. */
  private void refuse(Call call, String reason) {
    AuditRecord.Builder b = record("inference.refused", call, "refused");
    b.indexField("reason", reason);
    append(b, Map.of());
  }

  /**
   * A record with the request's identity. The app, key and alias are index fields (searchable, not
   * personal); the subject goes where the log encrypts it.
   */
  private static AuditRecord.Builder record(String type, Call call, String status) {
    AuditRecord.Builder b = AuditRecord.builder(type).actor(Actor.app(call.caller.app().id()))
        .requestId(call.requestId).status(status).model(call.model());
    if (call.subject != null) b.subject(call.subject);
    b.indexField("app", call.caller.app().name());
    b.indexField("keyId", call.caller.keyId());
    b.indexField("route", call.route);
    if (call.resolved != null) call.resolved.alias().ifPresent(a -> b.indexField("alias", a));
    return b;
  }

  /** The one place the gateway writes to the audit log: if the record is not durable, the request goes no further. */
  private void append(AuditRecord.Builder record, Map<String, Object> payload) {
    long t = System.nanoTime();
    try {
      audit.append(record.payload(JSON.writeValueAsBytes(payload)).build());
      metrics.auditAppend(System.nanoTime() - t, true);
    } catch (AuditLogException | IOException e) {
      metrics.auditAppend(System.nanoTime() - t, false);
      LOG.error("audit append failed, refusing: error={}", e.getMessage());
      throw GatewayError.auditUnavailable();
    }
  }

  private MutableHttpResponse<?> error(Call call, GatewayError e) {
    Map<String, Object> err = new LinkedHashMap<>();
    err.put("message", e.getMessage());
    err.put("type", e.type());
    err.put("param", e.param().orElse(null));
    err.put("code", e.code());
    MutableHttpResponse<byte[]> response = HttpResponse.<byte[]>status(httpStatus(e.status()))
        .body(json(Map.of("error", err))).contentType(MediaType.APPLICATION_JSON_TYPE);
    if (e.retryAfterSeconds() > 0) response.header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
    if (e.status() >= 500) {
      LOG.warn("request refused: requestId={} app={} model={} status={} code={}", call.requestId, call.app(),
          call.model(), e.status(), e.code());
    }
    return finish(call, response, e.status());
  }

  private MutableHttpResponse<?> finish(Call call, MutableHttpResponse<?> response, int status) {
    long total = System.nanoTime() - call.start;
    long overhead = total - call.backendNanos;
    response.header(REQUEST_ID_HEADER, call.requestId);
    response.header(OVERHEAD_HEADER, millis(overhead));
    metrics.request(call.app(), call.model(), status, total, overhead);
    return response;
  }

  private static Map<String, Object> modelCard(String name) {
    Map<String, Object> card = new LinkedHashMap<>();
    card.put("id", name);
    card.put("object", "model");
    card.put("created", STARTED);
    card.put("owned_by", "airlock");
    return card;
  }

  private static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpStatus httpStatus(int code) {
    try {
      return HttpStatus.valueOf(code);
    } catch (IllegalArgumentException e) {
      return HttpStatus.BAD_GATEWAY;
    }
  }

  /** Milliseconds with three decimals, as "%.3f" would print them; without Formatter, which showed in profiles. */
  static String millis(long nanos) {
    if (nanos < 0) {
      return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e6);
    }
    long micros = (nanos + 500) / 1_000;
    long frac = micros % 1_000;
    return (micros / 1_000) + (frac < 10 ? ".00" : frac < 100 ? ".0" : ".") + frac;
  }

  private static String newRequestId() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return "req_" + HexFormat.of().formatHex(b);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) t = t.getCause();
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  private static String firstLine(String s) {
    if (s == null) return "unreadable";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // closing is how the backend request is cancelled; nothing more to do
    }
  }

}
