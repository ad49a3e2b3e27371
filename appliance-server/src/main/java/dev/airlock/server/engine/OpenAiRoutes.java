package dev.airlock.server.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * vLLM's OpenAI routes, answered by the embedded llama.cpp engine with vLLM's shapes, so that the
 * gateway treats this backend exactly like a vLLM replica.
 *
 * <p>Shapes follow vLLM's {@code vllm/entrypoints/openai/} (protocol and serving modules), the
 * same source the gateway's vLLM stand-in reproduces: {@code chat.completion} with the message's
 * null fields and {@code stop_reason}; the stream's first chunk with
 * {@code delta={"role":"assistant","content":""}}, one chunk per piece, the last one carrying
 * {@code finish_reason}, a {@code choices:[]} usage chunk when {@code stream_options.include_usage},
 * then {@code data: [DONE]}; usage as {@code prompt_tokens, total_tokens, completion_tokens};
 * errors as {@code {"error":{"message","type","param","code"}}} with the status in {@code code}.
 */
final class OpenAiRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** vLLM's default {@code max_tokens} for {@code /v1/completions} (CompletionRequest). */
  static final int COMPLETIONS_DEFAULT_MAX_TOKENS = 16;
  /** A request body above this is refused before parsing: prompts are text, not files. */
  static final int MAX_BODY_BYTES = 16 << 20;

  private final String servedName;
  private final String modelPath;
  private final long created = System.currentTimeMillis() / 1000;
  private volatile LlamaEngine engine;

  OpenAiRoutes(String servedName, String modelPath) {
    this.servedName = servedName;
    this.modelPath = modelPath;
  }

  /** Called once the model is loaded; until then {@code /health} answers 503 and every route says the engine is loading. */
  void ready(LlamaEngine engine) {
    this.engine = engine;
  }

  void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      LlamaEngine e = engine;
      if (path.equals("/health") && method.equals("GET")) {
        ex.sendResponseHeaders(e == null ? 503 : 200, -1);
        return;
      }
      if (path.equals("/v1/models") && method.equals("GET")) {
        sendJson(ex, 200, models());
        return;
      }
      if ((path.equals("/v1/rerank") || path.equals("/v1/score")) && method.equals("POST")) {
        sendJson(ex, 400, error("the embedded engine does not rerank or score: serve a reranker model with vLLM",
            "BadRequestError", null, 400));
        return;
      }
      boolean known = path.equals("/v1/chat/completions") || path.equals("/v1/completions") || path.equals("/v1/embeddings");
      if (!known) {
        sendJson(ex, 404, JSON.createObjectNode().put("detail", "Not Found"));
        return;
      }
      if (!method.equals("POST")) {
        sendJson(ex, 405, JSON.createObjectNode().put("detail", "Method Not Allowed"));
        return;
      }
      if (e == null) {
        sendJson(ex, 503, error("The model is still loading; retry when /health answers 200.", "ServiceUnavailableError", null, 503));
        return;
      }
      JsonNode req;
      try {
        req = readBody(ex);
      } catch (BadRequest bad) {
        sendJson(ex, bad.status, error(bad.getMessage(), bad.status == 413 ? "RequestEntityTooLarge" : "BadRequestError", bad.param, bad.status));
        return;
      }
      String model = req.hasNonNull("model") ? req.get("model").asText() : servedName;
      if (!model.equals(servedName)) {
        sendJson(ex, 404, error("The model `" + model + "` does not exist.", "NotFoundError", "model", 404));
        return;
      }
      try {
        switch (path) {
          case "/v1/chat/completions" -> chat(ex, e, req);
          case "/v1/completions" -> completion(ex, e, req);
          default -> embeddings(ex, e, req);
        }
      } catch (BadRequest bad) {
        sendJson(ex, bad.status, error(bad.getMessage(), "BadRequestError", bad.param, bad.status));
      } catch (IOException clientGone) {
        // The client went away mid-answer: generation was cancelled; nobody is left to tell.
      } catch (Exception failure) {
        fail(ex, failure);
      }
    }
  }

  /** An engine failure: a 500 before the answer started, else vLLM's in-stream error event and [DONE]. */
  private static void fail(HttpExchange ex, Exception failure) throws IOException {
    System.err.println("engine request failed: " + failure);
    if (ex.getResponseCode() == -1) {
      sendJson(ex, 500, error("Internal server error", "InternalServerError", null, 500));
      return;
    }
    // serving.py create_streaming_error_response is json.dumps: spaced separators.
    String event = "{\"error\": {\"message\": \"Internal server error\", \"type\": \"InternalServerError\", "
        + "\"param\": null, \"code\": 500}}";
    OutputStream out = ex.getResponseBody();
    out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
    done(out);
  }

  // ---- chat ------------------------------------------------------------------------------------

  private void chat(HttpExchange ex, LlamaEngine e, JsonNode req) throws Exception {
    if (e.embeddingsOnly()) throw new BadRequest("The model does not support Chat Completions API", null);
    JsonNode messages = req.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new BadRequest("messages must be a non-empty array of {role, content} objects", "messages");
    }
    ArrayNode plain = NODES.arrayNode();
    for (JsonNode m : messages) {
      if (!m.isObject() || !m.path("role").isTextual()) {
        throw new BadRequest("each message needs a string 'role' and a 'content'", "messages");
      }
      plain.addObject().put("role", m.get("role").asText()).put("content", contentText(m.get("content")));
    }
    checkSupported(req);
    String prompt = e.chatPrompt(plain);
    int promptTokens = e.promptTokens(prompt);
    Integer requested = maxTokens(req, "max_completion_tokens", "max_tokens");
    LlamaEngine.Sampling sampling = sampling(req, e, promptTokens, requested, "messages");
    String id = "chatcmpl-" + randomId();
    if (!req.path("stream").asBoolean(false)) {
      LlamaEngine.Result r = e.generate(prompt, sampling, (piece, last) -> {});
      ObjectNode body = head(id, "chat.completion");
      ObjectNode choice = body.putArray("choices").addObject();
      choice.put("index", 0);
      ObjectNode message = choice.putObject("message");
      message.put("role", "assistant").put("content", r.text());
      message.putNull("refusal").putNull("annotations").putNull("audio").putNull("function_call");
      message.putArray("tool_calls");
      message.putNull("reasoning");
      choice.putNull("logprobs").put("finish_reason", r.finishReason()).putNull("stop_reason").putNull("token_ids");
      body.putNull("service_tier").putNull("system_fingerprint");
      body.set("usage", usage(promptTokens, r.completionTokens()));
      body.putNull("prompt_logprobs").putNull("prompt_token_ids").putNull("kv_transfer_params");
      sendJson(ex, 200, body);
      return;
    }
    boolean includeUsage = req.path("stream_options").path("include_usage").asBoolean(false);
    OutputStream out = startStream(ex);
    ObjectNode first = head(id, "chat.completion.chunk");
    ObjectNode firstChoice = first.putArray("choices").addObject().put("index", 0);
    firstChoice.putObject("delta").put("role", "assistant").put("content", "");
    firstChoice.putNull("logprobs").putNull("finish_reason");
    event(out, first);
    // Each piece is sent when the next one arrives, so the last can carry finish_reason as vLLM's does.
    StringBuilder pending = new StringBuilder();
    boolean[] hasPending = {false};
    LlamaEngine.Result r = e.generate(prompt, sampling, (piece, last) -> {
      if (hasPending[0] && !last) {
        event(out, chatChunk(id, pending.toString(), null));
        pending.setLength(0);
      }
      pending.append(piece);
      hasPending[0] = true;
    });
    event(out, chatChunk(id, pending.toString(), r.finishReason()));
    if (includeUsage) {
      ObjectNode u = head(id, "chat.completion.chunk");
      u.putArray("choices");
      u.set("usage", usage(promptTokens, r.completionTokens()));
      event(out, u);
    }
    done(out);
  }

  private ObjectNode chatChunk(String id, String content, String finishReason) {
    ObjectNode chunk = head(id, "chat.completion.chunk");
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    choice.putObject("delta").put("content", content);
    choice.putNull("logprobs");
    if (finishReason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason).putNull("stop_reason");
    }
    choice.putNull("token_ids");
    return chunk;
  }

  /** Message content as text: a string, or the text parts of a content array. */
  private static String contentText(JsonNode content) {
    if (content == null || content.isNull()) return "";
    if (content.isTextual()) return content.asText();
    if (content.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : content) {
        if (!"text".equals(part.path("type").asText())) {
          throw new BadRequest("the embedded engine accepts text content only, got a '" + part.path("type").asText() + "' part", "messages");
        }
        sb.append(part.path("text").asText());
      }
      return sb.toString();
    }
    throw new BadRequest("message content must be a string or an array of text parts", "messages");
  }

  // ---- completions -----------------------------------------------------------------------------

  private void completion(HttpExchange ex, LlamaEngine e, JsonNode req) throws Exception {
    if (e.embeddingsOnly()) throw new BadRequest("The model does not support Completions API", null);
    JsonNode p = req.get("prompt");
    String prompt;
    if (p != null && p.isTextual()) {
      prompt = p.asText();
    } else if (p != null && p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
      prompt = p.get(0).asText();
    } else {
      throw new BadRequest("prompt must be a string (or an array of one string) for the embedded engine", "prompt");
    }
    checkSupported(req);
    if (req.path("echo").asBoolean(false)) throw new BadRequest("echo is not supported by the embedded engine", "echo");
    int promptTokens = e.promptTokens(prompt);
    Integer requested = maxTokens(req, "max_tokens");
    LlamaEngine.Sampling sampling = sampling(req, e, promptTokens,
        requested == null && !req.has("max_tokens") ? Integer.valueOf(COMPLETIONS_DEFAULT_MAX_TOKENS) : requested, "prompt");
    String id = "cmpl-" + randomId();
    if (!req.path("stream").asBoolean(false)) {
      LlamaEngine.Result r = e.generate(prompt, sampling, (piece, last) -> {});
      ObjectNode body = head(id, "text_completion");
      ObjectNode choice = body.putArray("choices").addObject();
      choice.put("index", 0).put("text", r.text()).putNull("logprobs").put("finish_reason", r.finishReason())
          .putNull("stop_reason").putNull("token_ids").putNull("prompt_logprobs").putNull("prompt_token_ids");
      body.putNull("service_tier").putNull("system_fingerprint");
      body.set("usage", usage(promptTokens, r.completionTokens()));
      body.putNull("kv_transfer_params");
      sendJson(ex, 200, body);
      return;
    }
    boolean includeUsage = req.path("stream_options").path("include_usage").asBoolean(false);
    OutputStream out = startStream(ex);
    StringBuilder pending = new StringBuilder();
    boolean[] hasPending = {false};
    LlamaEngine.Result r = e.generate(prompt, sampling, (piece, last) -> {
      if (hasPending[0] && !last) {
        event(out, completionChunk(id, pending.toString(), null));
        pending.setLength(0);
      }
      pending.append(piece);
      hasPending[0] = true;
    });
    event(out, completionChunk(id, pending.toString(), r.finishReason()));
    if (includeUsage) {
      ObjectNode u = head(id, "text_completion");
      u.putArray("choices");
      u.set("usage", usage(promptTokens, r.completionTokens()));
      event(out, u);
    }
    done(out);
  }

  private ObjectNode completionChunk(String id, String text, String finishReason) {
    ObjectNode chunk = head(id, "text_completion");
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0).put("text", text).putNull("logprobs");
    if (finishReason == null) choice.putNull("finish_reason"); else choice.put("finish_reason", finishReason);
    choice.putNull("stop_reason");
    return chunk;
  }

  // ---- embeddings ------------------------------------------------------------------------------

  private void embeddings(HttpExchange ex, LlamaEngine e, JsonNode req) throws IOException {
    if (!e.embeddingsOnly()) {
      throw new BadRequest("The model does not support Embeddings API (start the embedded engine with --embeddings for an embedding model)", null);
    }
    JsonNode input = req.get("input");
    List<String> inputs = new ArrayList<>();
    if (input != null && input.isTextual()) {
      inputs.add(input.asText());
    } else if (input != null && input.isArray() && !input.isEmpty()) {
      for (JsonNode n : input) {
        if (!n.isTextual()) throw new BadRequest("input must be a string or an array of strings", "input");
        inputs.add(n.asText());
      }
    } else {
      throw new BadRequest("input must be a string or a non-empty array of strings", "input");
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("id", "embd-" + randomId()).put("object", "list").put("created", created).put("model", servedName);
    ArrayNode data = body.putArray("data");
    int tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      String text = inputs.get(i);
      int n = e.promptTokens(text);
      if (n > e.contextSize()) {
        throw new BadRequest("This model's maximum context length is " + e.contextSize() + " tokens. However, you requested "
            + n + " tokens in the input for embedding generation. Please reduce the length of the input.", "input");
      }
      tokens += n;
      ArrayNode vector = NODES.arrayNode();
      for (float f : e.embed(text)) vector.add(f);
      ObjectNode item = data.addObject().put("index", i).put("object", "embedding");
      item.set("embedding", vector);
    }
    ObjectNode usage = body.putObject("usage");
    usage.put("prompt_tokens", tokens).put("total_tokens", tokens).put("completion_tokens", 0).putNull("prompt_tokens_details");
    sendJson(ex, 200, body);
  }

  // ---- shared ----------------------------------------------------------------------------------

  private ObjectNode models() {
    ObjectNode list = JSON.createObjectNode().put("object", "list");
    ObjectNode card = list.putArray("data").addObject();
    card.put("id", servedName).put("object", "model").put("created", created).put("owned_by", "vllm")
        .put("root", modelPath).putNull("parent");
    LlamaEngine e = engine;
    if (e == null) card.putNull("max_model_len"); else card.put("max_model_len", e.contextSize());
    ObjectNode perm = card.putArray("permission").addObject();
    perm.put("id", "modelperm-" + randomId()).put("object", "model_permission").put("created", created)
        .put("allow_create_engine", false).put("allow_sampling", true).put("allow_logprobs", true)
        .put("allow_search_indices", false).put("allow_view", true).put("allow_fine_tuning", false)
        .put("organization", "*").putNull("group").put("is_blocking", false);
    return list;
  }

  private static void checkSupported(JsonNode req) {
    if (req.hasNonNull("n") && req.get("n").asInt(1) != 1) {
      throw new BadRequest("the embedded engine generates one choice per request: n must be 1", "n");
    }
    refuseUnsupported(req);
  }

  /**
   * What the embedded engine does not do is refused, naming the field, never silently ignored: an
   * app that offers tools, asks for a JSON schema or for log probabilities would otherwise get a
   * plain answer it did not ask for. (vLLM does all three.)
   */
  private static void refuseUnsupported(JsonNode req) {
    if (req.path("tools").isArray() && !req.path("tools").isEmpty() && !"none".equals(req.path("tool_choice").asText(""))) {
      throw new BadRequest("the embedded engine does not call tools: serve this model with vLLM, or send no 'tools'",
          "tools");
    }
    JsonNode format = req.path("response_format");
    if (format.isObject() && !"text".equals(format.path("type").asText("text"))) {
      throw new BadRequest("the embedded engine does not constrain output to '" + format.path("type").asText()
          + "': serve this model with vLLM, or send no 'response_format'", "response_format");
    }
    JsonNode logprobs = req.path("logprobs");
    if ((logprobs.isBoolean() && logprobs.asBoolean()) || logprobs.isIntegralNumber()) {
      throw new BadRequest("the embedded engine does not return log probabilities: serve this model with vLLM, or"
          + " send no 'logprobs'", "logprobs");
    }
  }

  private static Integer maxTokens(JsonNode req, String... fields) {
    for (String f : fields) {
      JsonNode v = req.get(f);
      if (v != null && !v.isNull()) {
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
          throw new BadRequest(f + " must be a whole number of at least 1, got " + v, f);
        }
        return v.asInt();
      }
    }
    return null;
  }

  /** Sampling from the request, with vLLM's defaults and its context-length check. */
  private static LlamaEngine.Sampling sampling(JsonNode req, LlamaEngine e, int promptTokens, Integer requested, String promptParam) {
    int ctx = e.contextSize();
    if (promptTokens >= ctx) {
      throw new BadRequest("This model's maximum context length is " + ctx + " tokens. However, your request has "
          + promptTokens + " input tokens. Please reduce the length of the input messages.", promptParam);
    }
    int maxTokens = requested == null ? ctx - promptTokens : requested;
    if (promptTokens + maxTokens > ctx) {
      throw new BadRequest("This model's maximum context length is " + ctx + " tokens. However, you requested "
          + (promptTokens + maxTokens) + " tokens (" + promptTokens + " in the messages, " + maxTokens
          + " in the completion). Please reduce the length of the messages or completion.", promptParam);
    }
    float temperature = (float) number(req, "temperature", 1.0, 0, 2);
    float topP = (float) number(req, "top_p", 1.0, 0, 1);
    int topK = (int) number(req, "top_k", -1, -1, Integer.MAX_VALUE);
    float minP = (float) number(req, "min_p", 0, 0, 1);
    float frequency = (float) number(req, "frequency_penalty", 0, -2, 2);
    float presence = (float) number(req, "presence_penalty", 0, -2, 2);
    float repetition = (float) number(req, "repetition_penalty", 1, 0.01, 10);
    Integer seed = req.hasNonNull("seed") ? Integer.valueOf(req.get("seed").asInt()) : null;
    List<String> stop = new ArrayList<>();
    JsonNode s = req.get("stop");
    if (s != null && s.isTextual()) stop.add(s.asText());
    else if (s != null && s.isArray()) s.forEach(n -> stop.add(n.asText()));
    // llama.cpp takes top_k 0 as "off", where OpenAI/vLLM say -1.
    // vLLM's extra sampling parameter: keep generating past the end-of-sequence token (benchmarks).
    boolean ignoreEos = req.path("ignore_eos").asBoolean(false);
    return new LlamaEngine.Sampling(maxTokens, temperature, topP, topK < 0 ? 0 : topK, minP, seed, stop, frequency,
        presence, repetition, ignoreEos);
  }

  private static double number(JsonNode req, String field, double dflt, double min, double max) {
    JsonNode v = req.get(field);
    if (v == null || v.isNull()) return dflt;
    if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
      throw new BadRequest(field + " must be a number from " + fmt(min) + " to " + fmt(max) + ", got " + v, field);
    }
    return v.asDouble();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  private ObjectNode head(String id, String object) {
    return JSON.createObjectNode().put("id", id).put("object", object).put("created", created).put("model", servedName);
  }

  private static ObjectNode usage(int prompt, int completion) {
    return JSON.createObjectNode().put("prompt_tokens", prompt).put("total_tokens", prompt + completion)
        .put("completion_tokens", completion);
  }

  static ObjectNode error(String message, String type, String param, int code) {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode err = body.putObject("error");
    err.put("message", message).put("type", type);
    if (param == null) err.putNull("param"); else err.put("param", param);
    err.put("code", code);
    return body;
  }

  private static JsonNode readBody(HttpExchange ex) throws IOException {
    byte[] body = ex.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      throw new BadRequest("the request body is over " + (MAX_BODY_BYTES >> 20) + " MiB", null, 413);
    }
    try {
      JsonNode req = JSON.readTree(body);
      if (req == null || !req.isObject()) throw new BadRequest("the request body must be a JSON object", null);
      return req;
    } catch (JsonProcessingException e) {
      throw new BadRequest("the request body is not valid JSON: " + e.getOriginalMessage(), null);
    }
  }

  private static String randomId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  private static OutputStream startStream(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
    ex.sendResponseHeaders(200, 0);
    return ex.getResponseBody();
  }

  private static void event(OutputStream out, JsonNode json) throws IOException {
    out.write(("data: " + JSON.writeValueAsString(json) + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void done(OutputStream out) throws IOException {
    out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void sendJson(HttpExchange ex, int status, JsonNode json) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(json);
    ex.getResponseHeaders().set("content-type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  /** A request the engine refuses, with the OpenAI {@code param} it is about. */
  static final class BadRequest extends RuntimeException {
    final String param;
    final int status;

    BadRequest(String message, String param) {
      this(message, param, 400);
    }

    BadRequest(String message, String param, int status) {
      super(message);
      this.param = param;
      this.status = status;
    }
  }
}
