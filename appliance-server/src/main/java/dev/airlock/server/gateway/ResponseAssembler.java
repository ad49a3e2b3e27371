package dev.airlock.server.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rebuilds what the model answered from a backend's response (whole, or streamed chunk by chunk)
 * for the audit record: a rerank's or score's scores by index, every choice's text, tool calls (their arguments concatenated from the
 * stream's deltas exactly), reasoning, refusal and finish reason, the token usage, and the error
 * the backend reported, if any. Nothing the model produced is left out of the record.
 */
final class ResponseAssembler {
  /** One choice as it is assembled. */
  private static final class Choice {
    final StringBuilder text = new StringBuilder();
    final StringBuilder reasoning = new StringBuilder();
    final StringBuilder refusal = new StringBuilder();
    final Map<Integer, ToolCall> toolCalls = new TreeMap<>();
    String finishReason;
  }

  /** A tool call as it is assembled: a stream sends its id and name first, then its arguments in pieces. */
  private static final class ToolCall {
    String id;
    String type;
    final StringBuilder name = new StringBuilder();
    final StringBuilder arguments = new StringBuilder();
  }

  private final Map<Integer, Choice> choices = new TreeMap<>();
  private JsonNode usage;
  private JsonNode error;
  private int embeddings = -1;
  private int dimensions;
  /** A rerank's results or a score's data, as the record keeps them: index and score, no document text. */
  private List<Map<String, Object>> scores;

  /** One streamed chunk (chat.completion.chunk or text_completion). */
  void chunk(JsonNode chunk) {
    if (chunk.has("error")) {
      error = chunk.get("error");
      return;
    }
    for (JsonNode c : chunk.path("choices")) {
      Choice choice = choice(c);
      if (c.has("delta")) {
        message(choice, c.path("delta"));
      } else {
        append(choice.text, c.path("text"));
      }
      finish(choice, c);
    }
    if (chunk.hasNonNull("usage")) usage = chunk.get("usage");
  }

  /** A whole (non-streamed) response body. */
  void whole(JsonNode body) {
    if (body.has("error")) {
      error = body.get("error");
      return;
    }
    if (body.has("results")) {
      scores = new ArrayList<>();
      for (JsonNode r : body.path("results")) {
        scores.add(Map.of("index", r.path("index").asInt(), "relevanceScore", r.path("relevance_score").asDouble()));
      }
    } else if ("list".equals(body.path("object").asText()) && body.path("data").path(0).path("object").asText()
        .equals("score")) {
      scores = new ArrayList<>();
      for (JsonNode d : body.path("data")) {
        scores.add(Map.of("index", d.path("index").asInt(), "score", d.path("score").asDouble()));
      }
    } else if ("list".equals(body.path("object").asText()) && body.has("data")) {
      embeddings = body.path("data").size();
      dimensions = body.path("data").path(0).path("embedding").size();
    }
    for (JsonNode c : body.path("choices")) {
      Choice choice = choice(c);
      if (c.has("message")) {
        message(choice, c.path("message"));
      } else {
        append(choice.text, c.path("text"));
      }
      finish(choice, c);
    }
    if (body.hasNonNull("usage")) usage = body.get("usage");
  }

  private Choice choice(JsonNode c) {
    return choices.computeIfAbsent(c.path("index").asInt(0), i -> new Choice());
  }

  /**
   * A chat message or a stream's delta: content, reasoning (vLLM names it {@code reasoning_content},
   * newer versions {@code reasoning}), refusal, and tool calls by their index.
   */
  private static void message(Choice choice, JsonNode m) {
    append(choice.text, m.path("content"));
    append(choice.reasoning, m.path("reasoning_content"));
    append(choice.reasoning, m.path("reasoning"));
    append(choice.refusal, m.path("refusal"));
    int position = 0;
    for (JsonNode t : m.path("tool_calls")) {
      // A whole message lists its calls in order; a delta says which call it continues.
      ToolCall call = choice.toolCalls.computeIfAbsent(t.path("index").asInt(position), i -> new ToolCall());
      position++;
      if (t.hasNonNull("id") && call.id == null) call.id = t.get("id").asText();
      if (t.hasNonNull("type") && call.type == null) call.type = t.get("type").asText();
      append(call.name, t.path("function").path("name"));
      append(call.arguments, t.path("function").path("arguments"));
    }
  }

  private static void finish(Choice choice, JsonNode c) {
    JsonNode fr = c.path("finish_reason");
    if (fr.isTextual()) choice.finishReason = fr.asText();
  }

  private static void append(StringBuilder to, JsonNode value) {
    if (value.isTextual()) to.append(value.asText());
  }

  boolean failed() {
    return error != null;
  }

  /** The first choice's finish reason (an index field); every choice's is in the payload. */
  String finishReason() {
    Choice first = choices.isEmpty() ? null : choices.values().iterator().next();
    return first == null ? null : first.finishReason;
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

  /**
   * The payload of the response record: {@code response}, the first choice's text (or the shape of
   * the embeddings); {@code choices} when there are several, each choice's text; and
   * {@code outputs} when anything besides text was produced (tool calls, reasoning, a refusal) or
   * there are several choices: every choice with all it produced. Then any backend error.
   */
  Map<String, Object> payload() {
    Map<String, Object> p = new LinkedHashMap<>();
    if (scores != null) {
      p.put("scores", scores);
    } else if (embeddings >= 0) {
      p.put("embeddings", embeddings);
      p.put("dimensions", dimensions);
    } else {
      p.put("response", choices.isEmpty() ? "" : choices.values().iterator().next().text.toString());
      if (choices.size() > 1) {
        List<String> all = new ArrayList<>();
        choices.values().forEach(c -> all.add(c.text.toString()));
        p.put("choices", all);
      }
      boolean more = choices.values().stream().anyMatch(c -> !c.toolCalls.isEmpty() || !c.reasoning.isEmpty()
          || !c.refusal.isEmpty());
      if (more || choices.size() > 1) p.put("outputs", outputs());
    }
    if (error != null) p.put("backendError", error.path("message").asText(error.toString()));
    return p;
  }

  private List<Map<String, Object>> outputs() {
    List<Map<String, Object>> out = new ArrayList<>();
    choices.forEach((index, c) -> {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("index", index);
      o.put("text", c.text.toString());
      if (!c.reasoning.isEmpty()) o.put("reasoning", c.reasoning.toString());
      if (!c.refusal.isEmpty()) o.put("refusal", c.refusal.toString());
      if (!c.toolCalls.isEmpty()) {
        List<Map<String, Object>> calls = new ArrayList<>();
        c.toolCalls.forEach((i, t) -> {
          Map<String, Object> call = new LinkedHashMap<>();
          call.put("index", i);
          call.put("id", t.id);
          call.put("type", t.type == null ? "function" : t.type);
          call.put("name", t.name.toString());
          call.put("arguments", t.arguments.toString());
          calls.add(call);
        });
        o.put("toolCalls", calls);
      }
      o.put("finishReason", c.finishReason);
      out.add(o);
    });
    return out;
  }
}
