package dev.airlock.server.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The demo talks to the server as any client would: JSON over HTTP with a bearer token (a
 * console session token, or an app key on {@code /v1}). A refusal is an {@link IllegalStateException}
 * naming the call and quoting the server's own error message.
 */
final class DemoClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Long enough for a model's first answer on a slow, shared CPU. */
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;

  DemoClient(URI base) {
    this.base = base;
  }

  URI base() {
    return base;
  }

  /** The answer's status and body. */
  record Answer(int status, JsonNode body) {
    String error() {
      return body.path("error").path("message").asText(body.toString());
    }
  }

  Answer call(String method, String path, String token, Object body) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
          .header("content-type", "application/json")
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      if (token != null) b.header("authorization", "Bearer " + token);
      return send(b.build());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed: " + e.getMessage(), e);
    }
  }

  /** Calls and insists on {@code expected}: anything else fails the demo with the server's reason. */
  JsonNode expect(int expected, String method, String path, String token, Object body) {
    Answer a = call(method, path, token, body);
    if (a.status() != expected) {
      throw new IllegalStateException(method + " " + path + " answered " + a.status() + ": " + a.error());
    }
    return a.body();
  }

  /** Streams a bundle to {@code POST /admin/bundles}, reporting the bytes sent. */
  JsonNode upload(Path bundle, String token, LongConsumer sent) {
    try {
      HttpRequest r = HttpRequest.newBuilder(base.resolve("/admin/bundles")).timeout(TIMEOUT)
          .header("content-type", "application/x-tar").header("authorization", "Bearer " + token)
          .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
              return new Counting(Files.newInputStream(bundle), sent);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }), Files.size(bundle)))
          .build();
      Answer a = send(r);
      if (a.status() != 201 && a.status() != 200) {
        throw new IllegalStateException("POST /admin/bundles answered " + a.status() + ": " + a.error());
      }
      return a.body();
    } catch (IOException e) {
      throw new UncheckedIOException("POST /admin/bundles failed: " + e.getMessage(), e);
    }
  }

  /** Signs in and returns the session token. */
  String signIn(String username, String password) {
    return expect(201, "POST", "/admin/session", null, Map.of("username", username, "password", password))
        .path("token").asText();
  }

  private Answer send(HttpRequest r) throws IOException {
    try {
      HttpResponse<byte[]> response = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
      byte[] b = response.body();
      JsonNode body;
      try {
        body = b.length == 0 ? JSON.nullNode() : JSON.readTree(b);
      } catch (IOException notJson) {
        body = JSON.getNodeFactory().textNode(new String(b, java.nio.charset.StandardCharsets.UTF_8));
      }
      return new Answer(response.statusCode(), body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static final class Counting extends FilterInputStream {
    private final LongConsumer sent;
    private long total;

    Counting(InputStream in, LongConsumer sent) {
      super(in);
      this.sent = sent;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) sent.accept(total += n);
      return n;
    }
  }
}
