package dev.airlock.server.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * A stand-in for {@code vllm serve}, for tests only: vLLM cannot be installed on the build
 * machines. It takes vLLM's command line, refuses to start without the telemetry and offline
 * variables Airlock must set, records its argv and environment, and answers vLLM's OpenAI routes
 * with vLLM's shapes.
 *
 * <p>Shapes reproduced from vLLM's source (vllm-project/vllm):
 * <ul>
 *   <li>{@code vllm/entrypoints/openai/chat_completion/serving.py} (commit 006c49d):
 *       {@code chat_completion_stream_generator}: first chunk per choice carries
 *       {@code delta={"role":"assistant","content":""}}, {@code logprobs:null, finish_reason:null};
 *       then one chunk per content delta; the last content chunk carries finish_reason and
 *       stop_reason; when {@code stream_options.include_usage} a final chunk with
 *       {@code choices:[]} and {@code usage} (dumped with exclude_none); errors inside the
 *       generator become {@code data: <create_streaming_error_response>} and the stream still ends
 *       with {@code data: [DONE]}. Chunks are {@code model_dump_json(exclude_unset=True)}
 *       (compact separators).</li>
 *   <li>{@code vllm/entrypoints/openai/chat_completion/protocol.py} (d5dba2d): field order of
 *       ChatCompletionResponse / ChatMessage / ChatCompletionResponseChoice /
 *       ChatCompletionStreamResponse.</li>
 *   <li>{@code vllm/entrypoints/openai/completion/protocol.py} and
 *       {@code vllm/entrypoints/openai/engine/protocol.py} (040a2cc): CompletionResponse,
 *       UsageInfo field order (prompt_tokens, total_tokens, completion_tokens), ErrorInfo
 *       {@code {message,type,param,code:int}}, ModelCard / ModelList, EmbeddingResponse
 *       ({@code embd-} ids, object "list", data of {index, object:"embedding", embedding}).</li>
 *   <li>{@code vllm/entrypoints/openai/engine/serving.py} (00bd149): {@code create_error_response}
 *       (BadRequestError 400; NotFoundError 404 "The model `x` does not exist." with
 *       param "model"), and {@code create_streaming_error_response}, which is Python's
 *       {@code json.dumps} (separators ", " and ": ") of the ErrorResponse.</li>
 *   <li>{@code vllm/entrypoints/openai/api_server.py}: {@code /health} answers 200 with an empty
 *       body; error responses are JSONResponse (compact) with status = error.code.</li>
 * </ul>
 *
 * <p>Test controls ride in the request body under {@code x_standin} (which also proves that the
 * gateway passes unknown fields through): {@code delay_ms} before the first token,
 * {@code fail_mid_stream} (send vLLM's mid-stream error event after the first content delta),
 * {@code die} (halt the process after the first content delta, or before answering when not
 * streaming).
 *
 * <p>{@code --tensor-parallel-size} above 1 makes it start a worker process of its own before it
 * serves, as vLLM starts a GPU worker process per tensor-parallel rank: a second JVM running this
 * class as {@code VllmStandIn worker}, which does nothing until killed. It proves that the
 * supervisor stops a backend's whole process tree.
 */
public final class VllmStandIn {
  /** The variables vLLM must see; the stand-in refuses to start without them, as Airlock requires. */
  static final Map<String, String> REQUIRED_ENV = Map.of(
      "VLLM_NO_USAGE_STATS", "1",
      "VLLM_DO_NOT_TRACK", "1",
      "DO_NOT_TRACK", "1",
      "HF_HUB_OFFLINE", "1",
      "TRANSFORMERS_OFFLINE", "1");

  /** Exit status when the environment or flags are not what Airlock promises. */
  static final int EXIT_REFUSED = 3;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_MODEL_LEN = 4096;

  private final List<String> servedNames;
  private final String modelPath;
  private final Path recordDir;
  private final int port;
  private final long created = System.currentTimeMillis() / 1000;

  private VllmStandIn(List<String> servedNames, String modelPath, Path recordDir, int port) {
    this.servedNames = servedNames;
    this.modelPath = modelPath;
    this.recordDir = recordDir;
    this.port = port;
  }

  /** The argument a worker process is started with. */
  static final String WORKER = "worker";

  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals(WORKER)) {
      Thread.sleep(Long.MAX_VALUE); // a worker holds on until it is killed, like a GPU worker waiting for work
      return;
    }
    if (args.length < 2 || !args[0].equals("serve")) {
      System.err.println("usage: vllm serve <model> [--served-model-name NAME ...] [--host H] [--port P]");
      System.exit(2);
    }
    String modelPath = args[1];
    List<String> names = new ArrayList<>();
    String host = "0.0.0.0";
    int port = 8000;
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--served-model-name" -> {
          while (i + 1 < args.length && !args[i + 1].startsWith("--")) names.add(args[++i]);
        }
        case "--host" -> host = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        default -> { /* other engine flags are recorded, not interpreted */ }
      }
    }
    if (names.isEmpty()) names.add(modelPath);
    Path recordDir = Path.of(System.getProperty("standin.record", System.getProperty("java.io.tmpdir")));
    Files.createDirectories(recordDir);
    record(recordDir, port, args);

    List<String> problems = new ArrayList<>();
    REQUIRED_ENV.forEach((k, v) -> {
      if (!v.equals(System.getenv(k))) problems.add(k + " must be " + v + " (found " + System.getenv(k) + ")");
    });
    for (String k : System.getenv().keySet()) {
      if (k.contains("TOKEN") || k.contains("API_KEY")) problems.add("a credential is in the environment: " + k);
    }
    if (List.of(args).contains("--trust-remote-code")) problems.add("--trust-remote-code must never be passed");
    if (!problems.isEmpty()) {
      System.err.println("vllm stand-in refuses to start: " + String.join("; ", problems));
      System.exit(EXIT_REFUSED);
    }

    // uvicorn (vLLM's server) sets TCP_NODELAY; the JDK's server does not unless asked, and would
    // otherwise hold small response writes back for the client's delayed ACK.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    int tp = List.of(args).indexOf("--tensor-parallel-size");
    if (tp >= 0 && tp + 1 < args.length && Integer.parseInt(args[tp + 1]) > 1) startWorker();
    VllmStandIn standIn = new VllmStandIn(names, modelPath, recordDir, port);
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 1024);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", standIn::handle);
    server.start();
    System.out.println("stand-in serving " + names + " on " + host + ":" + port);
  }

  /** Started before serving, so a healthy stand-in always has its worker. */
  private static void startWorker() throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xmx32m", "-cp", System.getProperty("java.class.path"),
        VllmStandIn.class.getName(), WORKER).inheritIO().start();
  }

  private static void record(Path dir, int port, String[] args) throws IOException {
    ObjectNode rec = JSON.createObjectNode();
    ArrayNode argv = rec.putArray("argv");
    for (String a : args) argv.add(a);
    ObjectNode env = rec.putObject("env");
    new TreeMap<>(System.getenv()).forEach(env::put);
    Files.writeString(dir.resolve("launch-" + port + ".json"), JSON.writeValueAsString(rec));
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (method.equals("GET") && path.equals("/health")) {
        ex.sendResponseHeaders(200, -1);
        return;
      }
      if (method.equals("GET") && path.equals("/v1/models")) {
        sendJson(ex, 200, models());
        return;
      }
      if (!method.equals("POST")) {
        sendJson(ex, 404, "{\"detail\":\"Not Found\"}");
        return;
      }
      byte[] body = ex.getRequestBody().readAllBytes();
      Files.write(recordDir.resolve("requests-" + port + ".jsonl"),
          (path + " " + new String(body, StandardCharsets.UTF_8).replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      JsonNode req;
      try {
        req = JSON.readTree(body);
        if (req == null || !req.isObject()) throw new IOException("not an object");
      } catch (IOException e) {
        sendJson(ex, 400, error("Expecting value: line 1 column 1 (char 0)", "BadRequestError", null, 400));
        return;
      }
      String model = req.path("model").asText(servedNames.get(0));
      if (!servedNames.contains(model)) {
        sendJson(ex, 404, error("The model `" + model + "` does not exist.", "NotFoundError", "model", 404));
        return;
      }
      JsonNode control = req.path("x_standin");
      long delay = control.path("delay_ms").asLong(0);
      if (delay > 0) sleep(delay);
      switch (path) {
        case "/v1/chat/completions" -> chat(ex, req, model, control);
        case "/v1/completions" -> completion(ex, req, model, control);
        case "/v1/embeddings" -> embeddings(ex, req, model, control);
        case "/v1/rerank" -> rerank(ex, req, model);
        case "/v1/score" -> score(ex, req, model);
        default -> sendJson(ex, 404, "{\"detail\":\"Not Found\"}");
      }
    }
  }

  /** The reply: deterministic, so tests can assert the assembled text. */
  private List<String> replyDeltas(String model, int maxTokens) {
    String[] words = ("Hello from " + model + ".").split(" ");
    List<String> deltas = new ArrayList<>();
    for (int i = 0; i < words.length && deltas.size() < maxTokens; i++) {
      deltas.add(i == 0 ? words[i] : " " + words[i]);
    }
    return deltas;
  }

  private static int countWords(JsonNode node) {
    if (node.isTextual()) {
      String t = node.asText().trim();
      return t.isEmpty() ? 0 : t.split("\\s+").length;
    }
    int n = 0;
    for (JsonNode child : node) n += countWords(child.isObject() ? child.path("content") : child);
    return n;
  }

  /**
   * The arguments the stand-in's "model" passes when it calls a tool, in the pieces a stream sends
   * them in (vLLM's tool parsers stream the id and name first, then the arguments as they decode).
   */
  public static final List<String> TOOL_ARGUMENT_PIECES = List.of("{\"city\": ", "\"Paris\", ", "\"unit\": \"celsius\"}");

  /** A request that offers tools (and does not say tool_choice "none") is answered with a call to the first. */
  private static String toolToCall(JsonNode req) {
    JsonNode tools = req.path("tools");
    if (!tools.isArray() || tools.isEmpty() || "none".equals(req.path("tool_choice").asText(""))) return null;
    return tools.get(0).path("function").path("name").asText("tool");
  }

  private void chatToolCall(HttpExchange ex, JsonNode req, String model, String tool) throws IOException {
    int promptTokens = countWords(req.path("messages"));
    String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    String callId = "chatcmpl-tool-" + UUID.randomUUID().toString().replace("-", "");
    String arguments = String.join("", TOOL_ARGUMENT_PIECES);
    if (!req.path("stream").asBoolean(false)) {
      sendJson(ex, 200, "{\"id\":\"" + id + "\",\"object\":\"chat.completion\",\"created\":" + created
          + ",\"model\":" + q(model) + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
          + "\"refusal\":null,\"annotations\":null,\"audio\":null,\"function_call\":null,\"tool_calls\":[{\"id\":"
          + q(callId) + ",\"type\":\"function\",\"function\":{\"name\":" + q(tool) + ",\"arguments\":" + q(arguments)
          + "}}],\"reasoning\":null},\"logprobs\":null,\"finish_reason\":\"tool_calls\",\"stop_reason\":null,"
          + "\"token_ids\":null}],\"usage\":" + usage(promptTokens, TOOL_ARGUMENT_PIECES.size()) + "}");
      return;
    }
    boolean includeUsage = req.path("stream_options").path("include_usage").asBoolean(false);
    try (OutputStream out = startStream(ex)) {
      String head = "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
          + ",\"model\":" + q(model) + ",\"choices\":[";
      event(out, head + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
          + "\"logprobs\":null,\"finish_reason\":null}]}");
      event(out, head + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"id\":" + q(callId) + ",\"type\":\"function\","
          + "\"index\":0,\"function\":{\"name\":" + q(tool) + "}}]},\"logprobs\":null,\"finish_reason\":null}]}");
      for (String piece : TOOL_ARGUMENT_PIECES) {
        event(out, head + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
            + q(piece) + "}}]},\"logprobs\":null,\"finish_reason\":null}]}");
      }
      event(out, head + "{\"index\":0,\"delta\":{\"content\":\"\"},\"logprobs\":null,"
          + "\"finish_reason\":\"tool_calls\",\"stop_reason\":null}]}");
      if (includeUsage) event(out, head + "],\"usage\":" + usage(promptTokens, TOOL_ARGUMENT_PIECES.size()) + "}");
      out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    }
  }

  private void chat(HttpExchange ex, JsonNode req, String model, JsonNode control) throws IOException {
    String tool = toolToCall(req);
    if (tool != null) {
      chatToolCall(ex, req, model, tool);
      return;
    }
    int promptTokens = countWords(req.path("messages"));
    int maxTokens = maxTokens(req);
    List<String> deltas = replyDeltas(model, maxTokens);
    String finish = deltas.size() < replyDeltas(model, Integer.MAX_VALUE).size() ? "length" : "stop";
    String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    if (!req.path("stream").asBoolean(false)) {
      if (control.path("die").asBoolean(false)) Runtime.getRuntime().halt(137);
      String content = String.join("", deltas);
      String json = "{\"id\":\"" + id + "\",\"object\":\"chat.completion\",\"created\":" + created
          + ",\"model\":" + q(model) + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
          + q(content) + ",\"refusal\":null,\"annotations\":null,\"audio\":null,\"function_call\":null,"
          + "\"tool_calls\":[],\"reasoning\":null},\"logprobs\":null,\"finish_reason\":" + q(finish)
          + ",\"stop_reason\":null,\"token_ids\":null}],\"service_tier\":null,\"system_fingerprint\":null,"
          + "\"usage\":" + usage(promptTokens, deltas.size()) + ",\"prompt_logprobs\":null,"
          + "\"prompt_token_ids\":null,\"kv_transfer_params\":null}";
      sendJson(ex, 200, json);
      return;
    }
    boolean includeUsage = req.path("stream_options").path("include_usage").asBoolean(false);
    try (OutputStream out = startStream(ex)) {
      String head = "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
          + ",\"model\":" + q(model) + ",\"choices\":[";
      event(out, head + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
          + "\"logprobs\":null,\"finish_reason\":null}]}");
      for (int i = 0; i < deltas.size(); i++) {
        boolean last = i == deltas.size() - 1;
        String choice = "{\"index\":0,\"delta\":{\"content\":" + q(deltas.get(i)) + "},\"logprobs\":null,"
            + (last ? "\"finish_reason\":" + q(finish) + ",\"stop_reason\":null" : "\"finish_reason\":null")
            + ",\"token_ids\":null}";
        event(out, head + choice + "]}");
        if (i == 0) midStreamControls(out, control);
      }
      if (includeUsage) {
        event(out, head + "],\"usage\":" + usage(promptTokens, deltas.size()) + "}");
      }
      out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    }
  }

  private void completion(HttpExchange ex, JsonNode req, String model, JsonNode control) throws IOException {
    int promptTokens = countWords(req.path("prompt"));
    int maxTokens = req.has("max_tokens") && !req.get("max_tokens").isNull() ? req.get("max_tokens").asInt() : 16;
    List<String> deltas = replyDeltas(model, maxTokens);
    String finish = deltas.size() < replyDeltas(model, Integer.MAX_VALUE).size() ? "length" : "stop";
    String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
    if (!req.path("stream").asBoolean(false)) {
      if (control.path("die").asBoolean(false)) Runtime.getRuntime().halt(137);
      String json = "{\"id\":\"" + id + "\",\"object\":\"text_completion\",\"created\":" + created
          + ",\"model\":" + q(model) + ",\"choices\":[{\"index\":0,\"text\":" + q(String.join("", deltas))
          + ",\"logprobs\":null,\"finish_reason\":" + q(finish) + ",\"stop_reason\":null,\"token_ids\":null,"
          + "\"prompt_logprobs\":null,\"prompt_token_ids\":null}],\"service_tier\":null,"
          + "\"system_fingerprint\":null,\"usage\":" + usage(promptTokens, deltas.size())
          + ",\"kv_transfer_params\":null}";
      sendJson(ex, 200, json);
      return;
    }
    boolean includeUsage = req.path("stream_options").path("include_usage").asBoolean(false);
    try (OutputStream out = startStream(ex)) {
      String head = "{\"id\":\"" + id + "\",\"object\":\"text_completion\",\"created\":" + created
          + ",\"model\":" + q(model) + ",\"choices\":[";
      for (int i = 0; i < deltas.size(); i++) {
        boolean last = i == deltas.size() - 1;
        event(out, head + "{\"index\":0,\"text\":" + q(deltas.get(i)) + ",\"logprobs\":null,\"finish_reason\":"
            + (last ? q(finish) : "null") + ",\"stop_reason\":null}]}");
        if (i == 0) midStreamControls(out, control);
      }
      if (includeUsage) event(out, head + "],\"usage\":" + usage(promptTokens, deltas.size()) + "}");
      out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    }
  }

  private void embeddings(HttpExchange ex, JsonNode req, String model, JsonNode control) throws IOException {
    if (control.path("die").asBoolean(false)) Runtime.getRuntime().halt(137);
    JsonNode input = req.path("input");
    List<String> inputs = new ArrayList<>();
    if (input.isArray()) input.forEach(n -> inputs.add(n.asText())); else inputs.add(input.asText());
    StringBuilder data = new StringBuilder();
    int tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      String text = inputs.get(i);
      tokens += countWords(JSON.getNodeFactory().textNode(text));
      if (i > 0) data.append(',');
      // A small deterministic vector: the text's length and its first characters, scaled.
      double a = text.length() / 100.0;
      double b = text.isEmpty() ? 0 : text.charAt(0) / 1000.0;
      data.append("{\"index\":").append(i).append(",\"object\":\"embedding\",\"embedding\":[")
          .append(a).append(',').append(b).append(",0.5]}");
    }
    String json = "{\"id\":\"embd-" + UUID.randomUUID().toString().replace("-", "") + "\",\"object\":\"list\","
        + "\"created\":" + created + ",\"model\":" + q(model) + ",\"data\":[" + data + "],\"usage\":"
        + "{\"prompt_tokens\":" + tokens + ",\"total_tokens\":" + tokens + ",\"completion_tokens\":0,"
        + "\"prompt_tokens_details\":null}}";
    sendJson(ex, 200, json);
  }

  /** A deterministic relevance: the share of the query's words the document contains. */
  private static double relevance(String query, String document) {
    List<String> q = List.of(query.toLowerCase(java.util.Locale.ROOT).split("\\W+"));
    String d = " " + String.join(" ", document.toLowerCase(java.util.Locale.ROOT).split("\\W+")) + " ";
    long hits = q.stream().filter(w -> !w.isEmpty() && d.contains(" " + w + " ")).count();
    return q.isEmpty() ? 0 : Math.round(1000.0 * hits / q.size()) / 1000.0;
  }

  /** vLLM's RerankResponse: results sorted by relevance, top_n of them (0: all). */
  private void rerank(HttpExchange ex, JsonNode req, String model) throws IOException {
    String query = req.path("query").asText();
    List<String> docs = new ArrayList<>();
    req.path("documents").forEach(d -> docs.add(d.asText()));
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) order.add(i);
    order.sort((a, b) -> Double.compare(relevance(query, docs.get(b)), relevance(query, docs.get(a))));
    int topN = req.path("top_n").asInt(0);
    if (topN > 0 && topN < order.size()) order = order.subList(0, topN);
    StringBuilder results = new StringBuilder();
    int tokens = countWords(JSON.getNodeFactory().textNode(query));
    for (String d : docs) tokens += countWords(JSON.getNodeFactory().textNode(d));
    for (int i : order) {
      if (!results.isEmpty()) results.append(',');
      results.append("{\"index\":").append(i).append(",\"document\":{\"text\":").append(q(docs.get(i)))
          .append(",\"multi_modal\":null},\"relevance_score\":").append(relevance(query, docs.get(i))).append('}');
    }
    sendJson(ex, 200, "{\"id\":\"rerank-" + UUID.randomUUID().toString().replace("-", "") + "\",\"model\":" + q(model)
        + ",\"usage\":{\"prompt_tokens\":" + tokens + ",\"total_tokens\":" + tokens + "},\"results\":[" + results + "]}");
  }

  /** vLLM's ScoreResponse: one score per pair (text_1 against each text_2). */
  private void score(HttpExchange ex, JsonNode req, String model) throws IOException {
    String first = req.path("text_1").isArray() ? req.path("text_1").path(0).asText() : req.path("text_1").asText();
    List<String> second = new ArrayList<>();
    if (req.path("text_2").isArray()) req.path("text_2").forEach(t -> second.add(t.asText()));
    else second.add(req.path("text_2").asText());
    StringBuilder data = new StringBuilder();
    int tokens = 0;
    for (int i = 0; i < second.size(); i++) {
      if (i > 0) data.append(',');
      tokens += countWords(JSON.getNodeFactory().textNode(first)) + countWords(JSON.getNodeFactory().textNode(second.get(i)));
      data.append("{\"index\":").append(i).append(",\"object\":\"score\",\"score\":")
          .append(relevance(first, second.get(i))).append('}');
    }
    sendJson(ex, 200, "{\"id\":\"embd-" + UUID.randomUUID().toString().replace("-", "") + "\",\"object\":\"list\","
        + "\"created\":" + created + ",\"model\":" + q(model) + ",\"data\":[" + data + "],\"usage\":{\"prompt_tokens\":"
        + tokens + ",\"total_tokens\":" + tokens + ",\"completion_tokens\":0,\"prompt_tokens_details\":null}}");
  }

  private void midStreamControls(OutputStream out, JsonNode control) throws IOException {
    if (control.path("die").asBoolean(false)) {
      out.flush();
      Runtime.getRuntime().halt(137);
    }
    if (control.path("fail_mid_stream").asBoolean(false)) {
      // engine/serving.py create_streaming_error_response: json.dumps (spaced separators)
      event(out, "{\"error\": {\"message\": \"Internal server error\", \"type\": \"InternalServerError\", "
          + "\"param\": null, \"code\": 500}}");
      out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      throw new StreamEnded();
    }
    long between = control.path("delay_between_ms").asLong(0);
    if (between > 0) sleep(between);
  }

  /** Ends a stream early after the error event; caught by the try-with-resources of the exchange. */
  private static final class StreamEnded extends IOException {
    StreamEnded() {
      super("stream ended by a test control", null);
    }
  }

  private String models() {
    StringBuilder data = new StringBuilder();
    for (String name : servedNames) {
      if (!data.isEmpty()) data.append(',');
      data.append("{\"id\":").append(q(name)).append(",\"object\":\"model\",\"created\":").append(created)
          .append(",\"owned_by\":\"vllm\",\"root\":").append(q(modelPath)).append(",\"parent\":null,")
          .append("\"max_model_len\":").append(MAX_MODEL_LEN).append(",\"permission\":[{\"id\":\"modelperm-")
          .append(UUID.randomUUID().toString().replace("-", "")).append("\",\"object\":\"model_permission\",")
          .append("\"created\":").append(created).append(",\"allow_create_engine\":false,\"allow_sampling\":true,")
          .append("\"allow_logprobs\":true,\"allow_search_indices\":false,\"allow_view\":true,")
          .append("\"allow_fine_tuning\":false,\"organization\":\"*\",\"group\":null,\"is_blocking\":false}]}");
    }
    return "{\"object\":\"list\",\"data\":[" + data + "]}";
  }

  private static int maxTokens(JsonNode req) {
    for (String f : List.of("max_completion_tokens", "max_tokens")) {
      if (req.hasNonNull(f)) return req.get(f).asInt();
    }
    return Integer.MAX_VALUE;
  }

  private static String usage(int prompt, int completion) {
    return "{\"prompt_tokens\":" + prompt + ",\"total_tokens\":" + (prompt + completion)
        + ",\"completion_tokens\":" + completion + "}";
  }

  static String error(String message, String type, String param, int code) {
    return "{\"error\":{\"message\":" + q(message) + ",\"type\":" + q(type) + ",\"param\":"
        + (param == null ? "null" : q(param)) + ",\"code\":" + code + "}}";
  }

  private static String q(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static OutputStream startStream(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
    ex.sendResponseHeaders(200, 0);
    return ex.getResponseBody();
  }

  private static void event(OutputStream out, String json) throws IOException {
    out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void sendJson(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("content-type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
