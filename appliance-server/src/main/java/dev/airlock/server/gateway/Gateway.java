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
import io.micronaut.http.sse.Event;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

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
  private static final byte[] REQUEST_PAYLOAD_START = "{\"request\":".getBytes(StandardCharsets.US_ASCII);
  /** The payload of an {@code inference.refused} record: a refused prompt is not kept. */
  private static final byte[] EMPTY_PAYLOAD = json(Map.of());

  private static final long STARTED = System.currentTimeMillis() / 1000;
  /** Keys not in the key cache are checked here, not on an event loop: that check queries the database. */
  private static final Executor OFF_LOOP = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("gateway-key-", 0).factory());

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
    /** Where the request continues after waiting (its event loop, when it started on one). */
    final Executor loop;
    Caller caller;
    String requested;
    ResolvedModel resolved;
    String subject;
    boolean stream;
    long forwardedAt;
    long firstChunkAt;
    long backendNanos;
    Replica replica;

    Call(String route, Executor loop) {
      this.route = route;
      this.loop = loop;
    }

    String app() {
      return caller == null ? "" : caller.app().id();
    }

    String model() {
      return resolved != null ? resolved.model().id() : requested == null ? "" : requested;
    }
  }

  public GatewayAnswer listModels(GatewayRequest request) {
    Call call = new Call("/v1/models", Runnable::run);
    try {
      App app = authenticate(request, call).app();
      List<Map<String, Object>> data = new ArrayList<>();
      for (String name : models.names()) {
        if (app.mayUse(name)) data.add(modelCard(name));
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("object", "list");
      body.put("data", data);
      return finish(call, GatewayAnswer.json(200, json(body)));
    } catch (GatewayError e) {
      return error(call, e);
    }
  }

  public GatewayAnswer getModel(GatewayRequest request, String id) {
    Call call = new Call("/v1/models/{id}", Runnable::run);
    try {
      App app = authenticate(request, call).app();
      if (!app.mayUse(id) || models.resolve(id).isEmpty()) throw GatewayError.modelNotFound(id);
      return finish(call, GatewayAnswer.json(200, json(modelCard(id))));
    } catch (GatewayError e) {
      return error(call, e);
    }
  }

  /**
   * POST /v1/chat/completions, /v1/completions, /v1/embeddings. Never blocks: called on the
   * server's event loop, it waits for the audit log's group commits and the backend without holding
   * a thread, and continues on that same loop. Only a key that is not in the key cache is checked
   * off the loop (a database query).
   */
  public CompletableFuture<GatewayAnswer> infer(String route, GatewayRequest request, byte[] body) {
    Call call = new Call(route, client.loop());
    String key = presentedKey(request);
    CompletableFuture<GatewayAnswer> answer;
    if (key == null || apps.answersFromMemory(key)) {
      answer = admitted(call, request, body);
    } else {
      answer = CompletableFuture.supplyAsync(() -> admitted(call, request, body), OFF_LOOP).thenCompose(f -> f);
    }
    return answer.handle((response, failure) -> response != null ? response : failed(call, failure));
  }

  /** Checks everything that can be checked before forwarding; any refusal is an exceptional GatewayError. */
  private CompletableFuture<GatewayAnswer> admitted(Call call, GatewayRequest request, byte[] body) {
    try {
      String route = call.route;
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
      call.stream = stream != null && stream.asBoolean(false) && STREAMING_ROUTES.contains(route);
      if (!app.mayUse(call.requested)) {
        return refuse(call, "model_not_granted", GatewayError.modelNotFound(call.requested));
      }
      call.resolved = models.resolve(call.requested).orElse(null);
      if (call.resolved == null) {
        return refuse(call, "model_not_active", GatewayError.modelNotFound(call.requested));
      }
      try {
        limiter.admit(app);
      } catch (GatewayError limited) {
        return refuse(call, "rate_limited_" + limited.type(), limited);
      }
      boolean injectedUsage = call.stream && !json.path("stream_options").path("include_usage").asBoolean(false);
      byte[] forward = rewrite(body, json, call, injectedUsage);
      // Nothing is forwarded before the request record is durable.
      return auditRequest(call, json, body).thenCompose(durable -> forward(call, forward, injectedUsage));
    } catch (GatewayError e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<GatewayAnswer> forward(Call call, byte[] forward, boolean injectedUsage) {
    Replica replica = supervisor.acquire(call.resolved.model().id()).orElse(null);
    if (replica == null) {
      return auditResponse(call, Outcome.BACKEND_ERROR, 503, new ResponseAssembler(), "no healthy replica")
          .thenApply(durable -> {
            throw GatewayError.backendUnavailable(call.resolved.model().id());
          });
    }
    call.replica = replica;
    return call.stream ? streaming(call, forward, injectedUsage) : whole(call, forward);
  }

  private CompletableFuture<GatewayAnswer> whole(Call call, byte[] forward) {
    Replica replica = call.replica;
    call.forwardedAt = System.nanoTime();
    CompletableFuture<BackendClient.Answer> sent;
    try {
      sent = client.forwardWhole(replica, call.route, forward);
    } catch (IllegalArgumentException e) {
      // The replica was removed (model deactivated) after it was chosen.
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle((response, failure) -> {
      call.backendNanos = System.nanoTime() - call.forwardedAt;
      supervisor.release(replica);
      if (failure != null) {
        supervisor.failed(replica);
        return auditResponse(call, Outcome.BACKEND_ERROR, 503, new ResponseAssembler(),
            "backend failed: " + rootMessage(failure)).<GatewayAnswer>thenApply(durable -> {
              throw GatewayError.backendFailed(call.resolved.model().id());
            });
      }
      int status = response.status();
      byte[] answer = response.body();
      ResponseAssembler assembled = new ResponseAssembler();
      try {
        assembled.whole(JSON.readTree(answer));
      } catch (IOException | RuntimeException e) {
        // A backend answering something that is not JSON: recorded as an error, relayed as it is.
        status = status / 100 == 2 ? 502 : status;
      }
      int finalStatus = status;
      Outcome outcome = status / 100 == 2 && !assembled.failed() ? Outcome.COMPLETED : Outcome.BACKEND_ERROR;
      limiter.used(call.caller.app(), assembled.totalTokens());
      metrics.tokens(call.app(), call.model(), assembled.promptTokens(), assembled.completionTokens());
      // The answer is released only once its record is durable.
      return auditResponse(call, outcome, status, assembled, null).<GatewayAnswer>thenApply(durable ->
          finish(call, GatewayAnswer.json(finalStatus, answer)));
    }).thenCompose(f -> f);
  }

  private CompletableFuture<GatewayAnswer> streaming(Call call, byte[] forward, boolean injectedUsage) {
    call.forwardedAt = System.nanoTime();
    Relay relay = new Relay(call, injectedUsage);
    try {
      relay.exchange = client.forward(call.replica, call.route, forward, relay);
    } catch (IllegalArgumentException e) {
      relay.failed(e);
    }
    return relay.started;
  }

  /**
   * Relays a backend's answer to a streamed request: SSE event by event once the backend answers
   * 200 (every event passes the assembler), a refusal before the stream (vLLM's JSON error) whole.
   * Runs on the event loop the backend connection reads on.
   */
  private final class Relay implements BackendClient.StreamHandler {
    final CompletableFuture<GatewayAnswer> started = new CompletableFuture<>();
    private final Call call;
    private final boolean injectedUsage;
    private final ResponseAssembler assembled = new ResponseAssembler();
    private final Sinks.Many<Event<String>> sink = Sinks.many().unicast().onBackpressureBuffer();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
    private final StringBuilder data = new StringBuilder();
    volatile BackendClient.Exchange exchange;
    private int status;
    private boolean done;
    private boolean ended;
    private boolean stopped;

    Relay(Call call, boolean injectedUsage) {
      this.call = call;
      this.injectedUsage = injectedUsage;
    }

    @Override
    public void head(int s) {
      status = s;
      if (s != 200) return; // vLLM refuses bad parameters before streaming, with a JSON error: relayed whole at the end
      Flux<Event<String>> events = sink.asFlux().doOnCancel(() -> {
        // The client went away: closing the backend connection aborts the backend request.
        cancelled.set(true);
        BackendClient.Exchange e = exchange;
        if (e != null) e.cancel();
      });
      started.complete(GatewayAnswer.stream(events)
          .header(REQUEST_ID_HEADER, call.requestId)
          .header(OVERHEAD_HEADER, millis(call.forwardedAt - call.start))
          .header(HttpHeaders.CACHE_CONTROL, "no-cache"));
    }

    @Override
    public void content(byte[] bytes) {
      if (status != 200) {
        pending.writeBytes(bytes);
        return;
      }
      if (ended) return;
      int from = 0;
      for (int i = 0; i < bytes.length && !ended; i++) {
        if (bytes[i] != '\n') continue;
        pending.write(bytes, from, i - from);
        from = i + 1;
        byte[] lineBytes = pending.toByteArray();
        pending.reset();
        int len = lineBytes.length > 0 && lineBytes[lineBytes.length - 1] == '\r' ? lineBytes.length - 1 : lineBytes.length;
        line(new String(lineBytes, 0, len, StandardCharsets.UTF_8));
      }
      if (!ended && from < bytes.length) pending.write(bytes, from, bytes.length - from);
    }

    private void line(String line) {
      if (line.startsWith("data:")) {
        if (!data.isEmpty()) data.append('\n');
        data.append(line.startsWith("data: ") ? line.substring(6) : line.substring(5));
        return;
      }
      if (!line.isEmpty() || data.isEmpty()) return;
      String event = data.toString();
      data.setLength(0);
      if (call.firstChunkAt == 0) {
        call.firstChunkAt = System.nanoTime();
        metrics.timeToFirstToken(call.model(), call.firstChunkAt - call.start);
      }
      if (event.equals("[DONE]")) {
        // The end marker ends the relay; anything the backend sends after it is not read.
        done = true;
        ended = true;
        sink.tryEmitNext(Event.of(event));
        stop(assembled.failed() ? Outcome.BACKEND_ERROR : Outcome.COMPLETED, null);
        return;
      }
      JsonNode chunk;
      try {
        chunk = JSON.readTree(event);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("the backend sent an event that is not JSON", e);
      }
      assembled.chunk(chunk);
      boolean usageOnly = chunk.path("choices").isArray() && chunk.path("choices").isEmpty() && chunk.has("usage");
      if (!(injectedUsage && usageOnly)) sink.tryEmitNext(Event.of(event));
    }

    @Override
    public void end() {
      if (status != 200) {
        wholeRefusal(pending.toByteArray());
        return;
      }
      if (!done) {
        failMidStream();
        stop(Outcome.BACKEND_ERROR, "the backend closed the stream before [DONE]");
      }
    }

    @Override
    public void failed(Throwable cause) {
      if (stopped) return; // the connection went away after [DONE]: the stream was complete
      if (!started.isDone()) {
        // Failed before the backend answered: no stream has begun, the client gets a clean 503.
        call.backendNanos = System.nanoTime() - call.forwardedAt;
        supervisor.release(call.replica);
        supervisor.failed(call.replica);
        auditResponse(call, Outcome.BACKEND_ERROR, 503, new ResponseAssembler(), "backend failed: " + rootMessage(cause))
            .whenComplete((durable, auditFailure) -> started.completeExceptionally(
                auditFailure != null ? auditFailure : GatewayError.backendFailed(call.resolved.model().id())));
        return;
      }
      if (cancelled.get()) {
        stop(Outcome.CLIENT_CANCELLED, "the client disconnected");
      } else {
        failMidStream();
        stop(Outcome.BACKEND_ERROR, "the backend failed mid-stream: " + rootMessage(cause));
      }
    }

    /** A non-200 answer to a streamed request: relayed whole, once its record is durable. */
    private void wholeRefusal(byte[] answer) {
      call.backendNanos = System.nanoTime() - call.forwardedAt;
      supervisor.release(call.replica);
      ResponseAssembler refused = new ResponseAssembler();
      try {
        refused.whole(JSON.readTree(answer));
      } catch (IOException | RuntimeException ignored) {
        // recorded as a backend error without details
      }
      int s = status;
      auditResponse(call, Outcome.BACKEND_ERROR, s, refused, null).whenComplete((durable, auditFailure) -> {
        if (auditFailure != null) {
          started.completeExceptionally(auditFailure);
        } else {
          started.complete(finish(call, GatewayAnswer.json(s, answer)));
        }
      });
    }

    private void failMidStream() {
      if (call.replica != null) supervisor.failed(call.replica);
      // Same shape vLLM sends for an error inside a stream, then the end marker: the client sees a clean failure.
      sink.tryEmitNext(Event.of("{\"error\":{\"message\":\"The backend failed during the stream; it was not retried."
          + " Send the request again.\",\"type\":\"server_error\",\"param\":null,\"code\":502}}"));
      sink.tryEmitNext(Event.of("[DONE]"));
    }

    /** The stream is over: audit how it ended, then close the client's stream. */
    private void stop(Outcome how, String detail) {
      if (stopped) return;
      stopped = true;
      ended = true;
      Outcome outcome = cancelled.get() && how != Outcome.COMPLETED ? Outcome.CLIENT_CANCELLED : how;
      call.backendNanos = System.nanoTime() - call.forwardedAt;
      supervisor.release(call.replica);
      limiter.used(call.caller.app(), assembled.totalTokens());
      metrics.tokens(call.app(), call.model(), assembled.promptTokens(), assembled.completionTokens());
      int s = outcome == Outcome.COMPLETED ? 200 : outcome == Outcome.CLIENT_CANCELLED ? 499 : 502;
      auditResponse(call, outcome, s, assembled, detail).whenComplete((durable, auditFailure) -> {
        if (auditFailure != null) {
          LOG.error("inference.response could not be recorded after streaming: requestId={}", call.requestId);
        }
        metrics.request(call.app(), call.model(), s, System.nanoTime() - call.start, call.forwardedAt - call.start);
        sink.tryEmitComplete();
      });
    }
  }

  private static String presentedKey(GatewayRequest request) {
    String header = request.header(HttpHeaders.AUTHORIZATION);
    if (header == null || header.isBlank()) return null;
    String key = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
    return key.isEmpty() ? null : key;
  }

  private Caller authenticate(GatewayRequest request, Call call) {
    String key = presentedKey(request);
    if (key == null) throw GatewayError.missingKey();
    call.caller = apps.authenticate(key).orElseThrow(GatewayError::invalidKey);
    return call.caller;
  }

  private static ObjectNode parse(byte[] body) {
    JsonNode node;
    try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(body)) {
      node = JSON.readTree(p);
      // One JSON value and nothing after it: the body stands in the audit record as it was sent.
      if (node != null && p.nextToken() != null) {
        throw GatewayError.badRequest("The request body is not valid JSON: something follows the JSON object"
            + " (at byte " + p.currentLocation().getByteOffset() + "). Send one JSON object.", null, "invalid_json");
      }
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

  /** The routes that stream when asked; embeddings, rerank and score answer whole. */
  private static final java.util.Set<String> STREAMING_ROUTES = java.util.Set.of("/v1/chat/completions", "/v1/completions");

  private static void validateShape(String route, ObjectNode json) {
    switch (route) {
      case "/v1/chat/completions" -> {
        JsonNode messages = json.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
          throw GatewayError.badRequest("'messages' is required: a non-empty array of {\"role\",\"content\"} objects.",
              "messages", "invalid_messages");
        }
        refuseRemoteMedia(messages);
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
      case "/v1/rerank" -> {
        if (!json.hasNonNull("query")) {
          throw GatewayError.badRequest("'query' is required: the text the documents are ranked against.", "query",
              "missing_query");
        }
        JsonNode documents = json.get("documents");
        if (documents == null || !documents.isArray() || documents.isEmpty()) {
          throw GatewayError.badRequest("'documents' is required: a non-empty array of texts to rank.", "documents",
              "missing_documents");
        }
      }
      case "/v1/score" -> {
        if (!json.hasNonNull("text_1") || !json.hasNonNull("text_2")) {
          throw GatewayError.badRequest("'text_1' and 'text_2' are required: the texts (or lists of texts) to score"
              + " against each other.", json.hasNonNull("text_1") ? "text_2" : "text_1", "missing_text");
        }
      }
      default -> throw new IllegalArgumentException("not a gateway route: " + route);
    }
  }

  /**
   * vLLM fetches an {@code image_url}, {@code audio_url} or {@code video_url} given as an http(s)
   * URL itself: an outbound connection from the appliance. Only {@code data:} URLs (the media
   * inline, within the app's size limit, and so in the audit record) are forwarded.
   */
  private static void refuseRemoteMedia(JsonNode messages) {
    for (JsonNode message : messages) {
      JsonNode content = message.get("content");
      if (content == null || !content.isArray()) continue;
      for (JsonNode part : content) {
        for (var fields = part.properties().iterator(); fields.hasNext(); ) {
          var field = fields.next();
          if (!field.getKey().endsWith("_url")) continue;
          JsonNode value = field.getValue();
          JsonNode url = value.isObject() ? value.get("url") : value;
          if (url != null && url.isTextual() && !url.asText().regionMatches(true, 0, "data:", 0, 5)) {
            throw GatewayError.badRequest("'" + field.getKey() + "' must be a data: URL (the media inline, base64):"
                + " the appliance fetches nothing from the network, so a URL such as '" + abbreviate(url.asText())
                + "' is refused.", "messages", "remote_media_url");
          }
        }
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  /** The OpenAI {@code user} field, or the app's configured header, names the audit subject. */
  private static String subject(ObjectNode json, GatewayRequest request, App app) {
    JsonNode user = json.get("user");
    if (user != null && user.isTextual() && !user.asText().isBlank()) return user.asText();
    return app.subjectHeader().map(request::header).filter(v -> !v.isBlank()).orElse(null);
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

  private CompletableFuture<Void> auditRequest(Call call, ObjectNode json, byte[] body) {
    AuditRecord.Builder b = record("inference.request", call, "ok");
    b.indexField("stream", Boolean.toString(call.stream));
    return append(call, b, requestPayload(body, json));
  }

  /**
   * {@code {"request": <the body>}}. A body in UTF-8 (it starts with '{' and ends with '}', white
   * space aside; it parsed as one object with nothing after it) goes in as the client sent it,
   * without being written out again from its parsed tree; any other encoding is written from the tree.
   */
  static byte[] requestPayload(byte[] body, ObjectNode json) {
    int from = 0;
    int to = body.length;
    while (from < to && isJsonSpace(body[from])) from++;
    while (to > from && isJsonSpace(body[to - 1])) to--;
    if (to - from < 2 || body[from] != '{' || body[to - 1] != '}') return json(Map.of("request", json));
    byte[] payload = Arrays.copyOf(REQUEST_PAYLOAD_START, REQUEST_PAYLOAD_START.length + (to - from) + 1);
    System.arraycopy(body, from, payload, REQUEST_PAYLOAD_START.length, to - from);
    payload[payload.length - 1] = '}';
    return payload;
  }

  private static boolean isJsonSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private CompletableFuture<Void> auditResponse(Call call, Outcome outcome, int httpStatus, ResponseAssembler assembled,
                                                String detail) {
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
    Map<String, Object> payload = assembled.payload();
    if (call.resolved != null) {
      call.resolved.receipt().ifPresent(r -> {
        b.indexField("catalogVersionId", r.catalogVersionId());
        payload.put("receipt", r.payload());
      });
    }
    return append(call, b, json(payload));
  }

  /**
   * Authenticated requests refused before forwarding (ungranted model, limits): recorded, without
   * their prompt; the refusal is answered once its record is durable.
   */
  private CompletableFuture<GatewayAnswer> refuse(Call call, String reason, GatewayError refusal) {
    AuditRecord.Builder b = record("inference.refused", call, "refused");
    b.indexField("reason", reason);
    return append(call, b, EMPTY_PAYLOAD).thenApply(durable -> {
      throw refusal;
    });
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

  /**
   * The one place the gateway writes to the audit log: the future completes, on the request's own
   * event loop, once the record is durable; if it cannot be made durable it fails with
   * {@link GatewayError#auditUnavailable()} and the request goes no further.
   */
  private CompletableFuture<Void> append(Call call, AuditRecord.Builder record, byte[] payload) {
    long t = System.nanoTime();
    CompletableFuture<Long> durable;
    try {
      durable = audit.appendAsync(record.payload(payload).build());
    } catch (RuntimeException e) {
      durable = CompletableFuture.failedFuture(e);
    }
    // Continue on the request's loop: the log's writer thread only hands the completion over.
    return durable.handleAsync((index, failure) -> {
      metrics.auditAppend(System.nanoTime() - t, failure == null);
      if (failure != null) {
        LOG.error("audit append failed, refusing: error={}", rootMessage(failure));
        throw GatewayError.auditUnavailable();
      }
      return null;
    }, call.loop);
  }

  /** The answer for a request that ended in a refusal or an unexpected failure. */
  private GatewayAnswer failed(Call call, Throwable failure) {
    Throwable t = failure;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) t = t.getCause();
    if (t instanceof GatewayError e) return error(call, e);
    LOG.error("gateway request failed: requestId={}", call.requestId, t);
    return error(call, GatewayError.internal(call.requestId));
  }

  private GatewayAnswer error(Call call, GatewayError e) {
    Map<String, Object> err = new LinkedHashMap<>();
    err.put("message", e.getMessage());
    err.put("type", e.type());
    err.put("param", e.param().orElse(null));
    err.put("code", e.code());
    GatewayAnswer response = GatewayAnswer.json(e.status(), json(Map.of("error", err)));
    if (e.retryAfterSeconds() > 0) response.header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
    if (e.status() >= 500) {
      LOG.warn("request refused: requestId={} app={} model={} status={} code={}", call.requestId, call.app(),
          call.model(), e.status(), e.code());
    }
    return finish(call, response);
  }

  private GatewayAnswer finish(Call call, GatewayAnswer response) {
    long total = System.nanoTime() - call.start;
    long overhead = total - call.backendNanos;
    response.header(REQUEST_ID_HEADER, call.requestId);
    response.header(OVERHEAD_HEADER, millis(overhead));
    metrics.request(call.app(), call.model(), response.status(), total, overhead);
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

  /** Milliseconds with three decimals, as "%.3f" would print them; without Formatter, which showed in profiles. */
  static String millis(long nanos) {
    if (nanos < 0) {
      return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e6);
    }
    long micros = (nanos + 500) / 1_000;
    long frac = micros % 1_000;
    return (micros / 1_000) + (frac < 10 ? ".00" : frac < 100 ? ".0" : ".") + frac;
  }

  /**
   * {@code req_}, 12 hex digits of the time in milliseconds since 1970, 12 random ones. Ids sort by
   * when their requests came, so each lands at the end of the audit index's request-id B-tree;
   * fully random ids landed on a random page each, and every commit of the index rewrote one page
   * per entry. An id, not a secret (it grants nothing; the audit log's nonces come from a
   * SecureRandom), so the random part is drawn without SecureRandom's shared lock.
   */
  static String newRequestId() {
    HexFormat hex = HexFormat.of();
    return "req_" + hex.toHexDigits(System.currentTimeMillis(), 12)
        + hex.toHexDigits(ThreadLocalRandom.current().nextLong(), 12);
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


}
