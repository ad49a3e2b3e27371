package dev.airlock.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The payload of an {@code inference.request} record: the body as the client sent it, when it can be. */
class GatewayPayloadTest {
  private static final String BODY = "{\"model\":\"m\", \"messages\":[{\"role\":\"user\",\"content\":\"Grüße 1.10\"}]}";

  @Test
  void aUtf8BodyIsRecordedAsSentWithoutTheWhiteSpaceAroundIt() throws Exception {
    byte[] body = (" \r\n\t" + BODY + "\n ").getBytes(StandardCharsets.UTF_8);
    ObjectNode parsed = (ObjectNode) Gateway.JSON.readTree(body);

    byte[] payload = Gateway.requestPayload(body, parsed);

    assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo("{\"request\":" + BODY + "}");
    assertThat(Gateway.JSON.readTree(payload).get("request")).isEqualTo(parsed);
  }

  @Test
  void aBodyInAnotherEncodingIsWrittenFromItsParsedTree() throws Exception {
    // Jackson reads UTF-16 bodies too; their bytes cannot stand inside a UTF-8 record.
    byte[] body = BODY.getBytes(StandardCharsets.UTF_16LE);
    ObjectNode parsed = (ObjectNode) Gateway.JSON.readTree(body);
    assertThat(parsed.path("messages").get(0).path("content").asText()).isEqualTo("Grüße 1.10");

    byte[] payload = Gateway.requestPayload(body, parsed);

    assertThat(new String(payload, StandardCharsets.UTF_8))
        .isEqualTo("{\"request\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Grüße 1.10\"}]}}");
  }
}
