package dev.airlock.server.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rebuilds what the model answered from a backend's response (whole, or streamed chunk by chunk)
 * for the audit record: the text of each choice, the finish reason, the token usage, and the
 * error the backend reported, if any.
 */
final class ResponseAssembler {
  private final Map<Integer, StringBuilder> texts = new TreeMap<>();
  private String finishReason;
  private JsonNode usage;
  private JsonNode error;
  private int embeddings = -1;
  private int dimensions;

  /** One streamed chunk (chat.completion.chunk or text_completion). */
  void chunk(JsonNode chunk) {
    if (chunk.has("error")) {
      error = chunk.get("error");
      return;
    }
    for (JsonNode choice : chunk.path("choices")) {
      int index = choice.path("index").asInt(0);
      JsonNode delta = choice.has("delta") ? choice.path("delta").path("content") : choice.path("text");
      if (delta.isTextual()) texts.computeIfAbsent(index, i -> new StringBuilder()).append(delta.asText());
      JsonNode fr = choice.path("finish_reason");
      if (fr.isTextual() && index == 0) finishReason = fr.asText();
    }
    if (chunk.hasNonNull("usage")) usage = chunk.get("usage");
  }

  /** A whole (non-streamed) response body. */
  void whole(JsonNode body) {
    if (body.has("error")) {
      error = body.get("error");
      return;
    }
    if ("list".equals(body.path("object").asText()) && body.has("data")) {
      embeddings = body.path("data").size();
      dimensions = body.path("data").path(0).path("embedding").size();
    }
    for (JsonNode choice : body.path("choices")) {
      int index = choice.path("index").asInt(0);
      JsonNode content = choice.has("message") ? choice.path("message").path("content") : choice.path("text");
      if (content.isTextual()) texts.computeIfAbsent(index, i -> new StringBuilder()).append(content.asText());
      JsonNode fr = choice.path("finish_reason");
      if (fr.isTextual() && index == 0) finishReason = fr.asText();
    }
    if (body.hasNonNull("usage")) usage = body.get("usage");
  }

  boolean failed() {
    return error != null;
  }

  String finishReason() {
    return finishReason;
  }

  long promptTokens() {
    return usage == null ? 0 : usage.path("prompt_tokens").asLong(0);
  }

  long completionTokens() {
    return usage == null ? 0 : usage.path("completion_tokens").asLong(0);
  }

  long totalTokens() {
    return usage == null ? 0 : usage.path("total_tokens").asLong(promptTokens() + completionTokens());
  }

  /** Usage as recorded: prompt, completion and total tokens, or null when the backend reported none. */
  Map<String, Object> usage() {
    if (usage == null) return null;
    Map<String, Object> u = new LinkedHashMap<>();
    u.put("promptTokens", promptTokens());
    u.put("completionTokens", completionTokens());
    u.put("totalTokens", totalTokens());
    return u;
  }

  /** The payload of the response record: the text produced (or the shape of the embeddings), and any backend error. */
  Map<String, Object> payload() {
    Map<String, Object> p = new LinkedHashMap<>();
    if (embeddings >= 0) {
      p.put("embeddings", embeddings);
      p.put("dimensions", dimensions);
    } else {
      p.put("response", texts.isEmpty() ? "" : texts.values().iterator().next().toString());
      if (texts.size() > 1) {
        List<String> all = new ArrayList<>();
        texts.values().forEach(sb -> all.add(sb.toString()));
        p.put("choices", all);
      }
    }
    if (error != null) p.put("backendError", error.path("message").asText(error.toString()));
    return p;
  }
}
