package dev.airlock.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference routes on the running server, on raw sockets: served on the connection's pipeline
 * ({@link GatewayFastPath}) or, for what it leaves alone, by Micronaut, with the same answers; a
 * client that pipelines gets its answers in order across both; the switch that turns it off.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayPipelineTest {
  @TempDir static Path dir;

  TestAppliance appliance;
  String key;

  @BeforeAll
  void start() throws Exception {
    appliance = TestAppliance.start(dir, List.of(), Map.of());
    appliance.activateVllm("tiny-chat", Files.createDirectories(dir.resolve("vault/tiny-chat")), 1, List.of());
    key = appliance.createApp("pipeline-tests", List.of("tiny-chat"), Map.of()).path("key").path("secret").asText();
    appliance.awaitHealthy("tiny-chat", 1);
  }

  @AfterAll
  void stop() {
    if (appliance != null) appliance.close();
  }

  record Answer(int status, Map<String, String> headers, String body) {
    JsonNode json() throws IOException {
      return TestAppliance.JSON.readTree(body);
    }
  }

  private String chatRequest(String body, boolean chunked) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
        + "\r\nContent-Type: application/json\r\n";
    if (!chunked) return head + "Content-Length: " + b.length + "\r\n\r\n" + body;
    return head + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(b.length) + "\r\n" + body + "\r\n0\r\n\r\n";
  }

  private String modelsRequest() {
    return "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key + "\r\n\r\n";
  }

  /** Sends everything in one write (a pipelining client), then reads that many answers in order. */
  private List<Answer> exchange(int answers, String... requests) throws IOException {
    try (Socket s = new Socket("127.0.0.1", appliance.server.getPort())) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      out.write(String.join("", requests).getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      List<Answer> read = new java.util.ArrayList<>();
      for (int i = 0; i < answers; i++) read.add(readAnswer(in));
      return read;
    }
  }

  private static Answer readAnswer(InputStream in) throws IOException {
    String status = line(in);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (headers.containsKey("content-length")) {
      body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
    } else if ("chunked".equals(headers.get("transfer-encoding"))) {
      for (int n = Integer.parseInt(line(in), 16); n > 0; n = Integer.parseInt(line(in), 16)) {
        body.write(in.readNBytes(n));
        line(in);
      }
      line(in);
    }
    return new Answer(Integer.parseInt(status.split(" ")[1]), headers, body.toString(StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) throw new IOException("connection closed mid-answer");
      if (c != '\r') b.write(c);
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  private static final String HELLO = "{\"model\":\"tiny-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @Test
  void aPipeliningClientGetsItsAnswersInOrderAcrossBothPaths() throws Exception {
    List<Answer> answers = exchange(5, chatRequest(HELLO, false), modelsRequest(), chatRequest(HELLO, false),
        chatRequest(HELLO, true), modelsRequest());
    assertThat(answers).extracting(Answer::status).containsOnly(200);
    assertThat(answers.get(0).json().path("object").asText()).isEqualTo("chat.completion");
    assertThat(answers.get(1).json().path("object").asText()).isEqualTo("list");
    assertThat(answers.get(2).json().path("object").asText()).isEqualTo("chat.completion");
    assertThat(answers.get(3).json().path("object").asText()).isEqualTo("chat.completion");
    assertThat(answers.get(4).json().path("object").asText()).isEqualTo("list");
    List<String> ids = answers.stream().map(a -> a.headers().get("x-request-id")).toList();
    assertThat(ids).doesNotContainNull().doesNotHaveDuplicates();
    // Each chat answer is the one its request id was audited with, in the order sent.
    List<String> audited = appliance.auditRecords().stream()
        .filter(r -> r.path("type").asText().equals("inference.response")).map(r -> r.path("requestId").asText()).toList();
    assertThat(audited).containsSubsequence(ids.get(0), ids.get(2), ids.get(3));
  }

  @Test
  void bothPathsGiveTheSameAnswersAndHeaders() throws Exception {
    for (String body : List.of(HELLO, "{\"model\":\"not-granted\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "{\"model\":", "{\"model\":\"tiny-chat\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      Answer pipeline = exchange(1, chatRequest(body, false)).getFirst();
      Answer micronaut = exchange(1, chatRequest(body, true)).getFirst();
      assertThat(pipeline.status()).as(body).isEqualTo(micronaut.status());
      assertThat(pipeline.headers().keySet()).as(body).containsExactlyInAnyOrderElementsOf(micronaut.headers().keySet());
      for (String h : List.of("content-type", "cache-control", "transfer-encoding")) {
        assertThat(pipeline.headers().get(h)).as(body + " " + h).isEqualTo(micronaut.headers().get(h));
      }
      assertThat(normalized(pipeline.body())).as(body).isEqualTo(normalized(micronaut.body()));
    }
  }

  /** The answer without what differs on every call (ids, timestamps). */
  private static String normalized(String body) {
    return body.replaceAll("\"(id|created)\":(\"[^\"]*\"|\\d+)", "\"$1\":_");
  }

  @Test
  void connectionCloseEndsTheConnectionAfterTheAnswer() throws Exception {
    try (Socket s = new Socket("127.0.0.1", appliance.server.getPort())) {
      s.setSoTimeout(60_000);
      String request = chatRequest(HELLO, false).replace("Host: localhost\r\n", "Host: localhost\r\nConnection: close\r\n");
      s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      Answer a = readAnswer(s.getInputStream());
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.headers().get("connection")).isEqualTo("close");
      assertThat(s.getInputStream().read()).as("closed by the server").isEqualTo(-1);
    }
  }

  @Test
  void withTheFastPathOffMicronautServesTheRoutesAlone() throws Exception {
    Path other = Files.createDirectories(dir.resolve("off"));
    try (TestAppliance off = TestAppliance.start(other, List.of(), Map.of("airlock.gateway.fast-path", false))) {
      assertThat(off.server.getApplicationContext().findBean(GatewayPipeline.class)).isEmpty();
      assertThat(appliance.server.getApplicationContext().findBean(GatewayPipeline.class)).isPresent();
      off.activateVllm("tiny-chat", Files.createDirectories(other.resolve("vault/tiny-chat")), 1, List.of());
      String offKey = off.createApp("off", List.of("tiny-chat"), Map.of()).path("key").path("secret").asText();
      off.awaitHealthy("tiny-chat", 1);
      var r = off.http.send(java.net.http.HttpRequest.newBuilder(off.url("/v1/chat/completions"))
          .header("authorization", "Bearer " + offKey).POST(java.net.http.HttpRequest.BodyPublishers.ofString(HELLO)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      ObjectNode json = (ObjectNode) TestAppliance.JSON.readTree(r.body());
      assertThat(json.path("object").asText()).isEqualTo("chat.completion");
    }
  }
}
