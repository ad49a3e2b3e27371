package dev.airlock.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the response record keeps of an answer: everything the model produced. The chunks are
 * shaped as vLLM streams them (chat.completion.chunk with delta.tool_calls by index, the id and
 * name first, the arguments in pieces; reasoning_content; a usage chunk with no choices).
 */
class ResponseAssemblerTest {
  @Test
  void streamedToolCallsAreRecordedWithTheirArgumentsConcatenatedExactly() throws Exception {
    ResponseAssembler a = new ResponseAssembler();
    for (String chunk : List.of(
        "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"The user wants \"}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"the weather.\"}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"chatcmpl-tool-1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\": \"}}]}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\", \"}}]}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"chatcmpl-tool-2\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_time\",\"arguments\":\"{}\"}}]}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"unit\\\": \\\"C\\\"}\"}}]}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
        "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":30,\"total_tokens\":42}}")) {
      a.chunk(Gateway.JSON.readTree(chunk));
    }

    Map<String, Object> p = a.payload();
    assertThat(p.get("response")).isEqualTo("");
    assertThat(a.finishReason()).isEqualTo("tool_calls");
    assertThat(a.totalTokens()).isEqualTo(42);
    JsonNode out = Gateway.JSON.valueToTree(p.get("outputs"));
    assertThat(out).hasSize(1);
    assertThat(out.get(0).path("reasoning").asText()).isEqualTo("The user wants the weather.");
    assertThat(out.get(0).path("finishReason").asText()).isEqualTo("tool_calls");
    JsonNode calls = out.get(0).path("toolCalls");
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0).path("id").asText()).isEqualTo("chatcmpl-tool-1");
    assertThat(calls.get(0).path("name").asText()).isEqualTo("get_weather");
    assertThat(calls.get(0).path("arguments").asText()).isEqualTo("{\"city\": \"Paris\", \"unit\": \"C\"}");
    assertThat(calls.get(1).path("name").asText()).isEqualTo("get_time");
    assertThat(calls.get(1).path("arguments").asText()).isEqualTo("{}");
  }

  @Test
  void aWholeAnswerKeepsEveryChoiceItsToolCallsAndARefusal() throws Exception {
    ResponseAssembler a = new ResponseAssembler();
    a.whole(Gateway.JSON.readTree("{\"object\":\"chat.completion\",\"choices\":["
        + "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
        + "{\"id\":\"call-a\",\"type\":\"function\",\"function\":{\"name\":\"search\",\"arguments\":\"{\\\"q\\\":\\\"x\\\"}\"}},"
        + "{\"id\":\"call-b\",\"type\":\"function\",\"function\":{\"name\":\"open\",\"arguments\":\"{\\\"id\\\":2}\"}}]},"
        + "\"finish_reason\":\"tool_calls\"},"
        + "{\"index\":1,\"message\":{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't help with that.\"},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9,\"total_tokens\":14}}"));

    Map<String, Object> p = a.payload();
    assertThat(p.get("choices")).isEqualTo(List.of("", ""));
    JsonNode out = Gateway.JSON.valueToTree(p.get("outputs"));
    assertThat(out).hasSize(2);
    assertThat(out.get(0).path("toolCalls")).extracting(c -> c.path("id").asText() + " " + c.path("name").asText()
        + " " + c.path("arguments").asText()).containsExactly("call-a search {\"q\":\"x\"}", "call-b open {\"id\":2}");
    assertThat(out.get(1).path("refusal").asText()).isEqualTo("I can't help with that.");
    assertThat(out.get(1).path("finishReason").asText()).isEqualTo("stop");
  }

  @Test
  void aPlainAnswerIsRecordedAsBefore() throws Exception {
    ResponseAssembler a = new ResponseAssembler();
    a.chunk(Gateway.JSON.readTree("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}"));
    a.chunk(Gateway.JSON.readTree("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there\"},\"finish_reason\":\"stop\"}]}"));

    assertThat(a.payload()).containsExactly(Map.entry("response", "Hello there"));
    assertThat(a.finishReason()).isEqualTo("stop");
  }
}
