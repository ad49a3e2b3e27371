package dev.airlock.server.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway's HTTP client reaches only configured backends, and only on the forwarded routes. */
class BackendClientTest {
  private HttpServer server;
  private final AtomicInteger hits = new AtomicInteger();
  private URI base;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      hits.incrementAndGet();
      byte[] ok = "{}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, ok.length);
      ex.getResponseBody().write(ok);
      ex.close();
    });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void refusesAnAddressThatIsNotAConfiguredBackendBeforeConnecting() {
    BackendClient client = new BackendClient(new BackendRegistry());
    Replica stranger = new Replica("m", 0, base);

    assertThatThrownBy(() -> client.forwardWhole(stranger, "/v1/chat/completions", "{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("refusing to contact " + base + ": it is not a configured backend");
    assertThatThrownBy(() -> client.healthy(base)).isInstanceOf(IllegalArgumentException.class);
    assertThat(hits).hasValue(0);
  }

  @Test
  void forwardsOnlyTheOpenAiRoutesToAConfiguredBackend() throws Exception {
    BackendRegistry registry = new BackendRegistry();
    registry.add(base);
    BackendClient client = new BackendClient(registry);
    Replica replica = new Replica("m", 0, base);

    assertThat(client.forwardWhole(replica, "/v1/embeddings", "{}".getBytes(StandardCharsets.UTF_8)).get().status()).isEqualTo(200);
    for (String route : new String[] {"/v1/load_lora_adapter", "/tokenize", "/reset_prefix_cache", "/v1/models"}) {
      assertThatThrownBy(() -> client.forwardWhole(replica, route, new byte[0]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("route " + route + " is never forwarded to a backend");
    }
    assertThat(hits).hasValue(1);
    assertThat(client.healthy(base)).isTrue();
  }

  @Test
  void aReplicaThatDiesMidAnswerFailsThatRequestOnceAndItIsNotReplayed() throws Exception {
    AtomicInteger dying = new AtomicInteger();
    server.createContext("/v1/chat/completions", ex -> {
      dying.incrementAndGet();
      ex.sendResponseHeaders(200, 1000);
      ex.getResponseBody().write("{\"partial\":".getBytes(StandardCharsets.UTF_8));
      ex.getResponseBody().flush();
      ex.getHttpContext().getServer().stop(0); // the process goes away with the answer half sent
    });
    BackendRegistry registry = new BackendRegistry();
    registry.add(base);
    BackendClient client = new BackendClient(registry);

    assertThatThrownBy(() -> client.forwardWhole(new Replica("m", 0, base), "/v1/chat/completions",
        "{}".getBytes(StandardCharsets.UTF_8)).get())
        .hasCauseInstanceOf(java.io.IOException.class)
        .hasMessageContaining("the backend closed the connection before the answer was complete");
    assertThat(dying).hasValue(1);
  }

  @Test
  void streamsEveryPieceAsItArrivesAndDoesNotFollowRedirects() throws Exception {
    server.createContext("/v1/completions", ex -> {
      ex.getResponseHeaders().add("content-type", "text/event-stream");
      ex.sendResponseHeaders(200, 0);
      for (String piece : new String[] {"data: {\"a\":1}\n\n", "data: [DONE]\n\n"}) {
        ex.getResponseBody().write(piece.getBytes(StandardCharsets.UTF_8));
        ex.getResponseBody().flush();
      }
      ex.close();
    });
    server.createContext("/v1/embeddings", ex -> {
      ex.getResponseHeaders().add("location", base + "/elsewhere");
      ex.sendResponseHeaders(302, -1);
      ex.close();
    });
    BackendRegistry registry = new BackendRegistry();
    registry.add(base);
    BackendClient client = new BackendClient(registry);
    Replica replica = new Replica("m", 0, base);

    java.util.concurrent.CompletableFuture<String> streamed = new java.util.concurrent.CompletableFuture<>();
    StringBuilder seen = new StringBuilder();
    client.forward(replica, "/v1/completions", "{}".getBytes(StandardCharsets.UTF_8), new BackendClient.StreamHandler() {
      @Override public void head(int status) { seen.append(status).append('|'); }
      @Override public void content(byte[] bytes) { seen.append(new String(bytes, StandardCharsets.UTF_8)); }
      @Override public void end() { streamed.complete(seen.toString()); }
      @Override public void failed(Throwable cause) { streamed.completeExceptionally(cause); }
    });
    assertThat(streamed.get()).isEqualTo("200|data: {\"a\":1}\n\ndata: [DONE]\n\n");

    BackendClient.Answer redirect = client.forwardWhole(replica, "/v1/embeddings", new byte[0]).get();
    assertThat(redirect.status()).isEqualTo(302);
    assertThat(hits).as("the redirect target was not contacted").hasValue(0);
  }

  /**
   * A raw HTTP/1.1 backend that answers the first request on each connection and closes the
   * connection, without a byte back, on any later request over it (as a server closing an idle
   * connection races the client reusing it). With {@code answerNone}, it never answers at all.
   */
  private static java.net.ServerSocket closingBackend(AtomicInteger received, AtomicInteger answered, boolean answerNone)
      throws java.io.IOException {
    java.net.ServerSocket socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(() -> {
      while (!socket.isClosed()) {
        java.net.Socket c;
        try {
          c = socket.accept();
        } catch (java.io.IOException e) {
          return;
        }
        Thread.ofVirtual().start(() -> {
          try (c) {
            java.io.DataInputStream in = new java.io.DataInputStream(c.getInputStream());
            for (int n = 0; ; n++) {
              int length = 0;
              for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
              }
              in.readFully(new byte[length]);
              received.incrementAndGet();
              if (n > 0 || answerNone) return; // closes without answering
              answered.incrementAndGet();
              c.getOutputStream().write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".getBytes(StandardCharsets.UTF_8));
              c.getOutputStream().flush();
            }
          } catch (java.io.IOException | RuntimeException e) {
            // the client went away
          }
        });
      }
    });
    return socket;
  }

  private static String readLine(java.io.DataInputStream in) throws java.io.IOException {
    StringBuilder b = new StringBuilder();
    for (int ch = in.read(); ch != '\n'; ch = in.read()) {
      if (ch < 0) throw new java.io.EOFException();
      if (ch != '\r') b.append((char) ch);
    }
    return b.toString();
  }

  @Test
  void aRequestOnAKeptAliveConnectionTheBackendClosedWithoutAnsweringIsSentOnceMoreOnANewConnection() throws Exception {
    AtomicInteger received = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    try (java.net.ServerSocket backend = closingBackend(received, answered, false)) {
      URI closing = URI.create("http://127.0.0.1:" + backend.getLocalPort());
      BackendRegistry registry = new BackendRegistry();
      registry.add(closing);
      BackendClient client = new BackendClient(registry);
      Replica replica = new Replica("m", 0, closing);
      for (int i = 0; i < 10; i++) {
        assertThat(client.forwardWhole(replica, "/v1/chat/completions", "{}".getBytes(StandardCharsets.UTF_8)).get().status())
            .isEqualTo(200);
      }
      assertThat(answered).as("every request answered exactly once").hasValue(10);
      client.close();
    }
  }

  @Test
  void aRequestOnANewConnectionTheBackendClosesWithoutAnsweringFailsAndIsNotResent() throws Exception {
    AtomicInteger received = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    try (java.net.ServerSocket backend = closingBackend(received, answered, true)) {
      URI closing = URI.create("http://127.0.0.1:" + backend.getLocalPort());
      BackendRegistry registry = new BackendRegistry();
      registry.add(closing);
      BackendClient client = new BackendClient(registry);
      assertThatThrownBy(() -> client.forwardWhole(new Replica("m", 0, closing), "/v1/chat/completions",
          "{}".getBytes(StandardCharsets.UTF_8)).get())
          .hasMessageContaining("the backend closed the connection before the answer was complete");
      assertThat(received).as("sent once, not resent").hasValue(1);
      client.close();
    }
  }
}
