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

    assertThatThrownBy(() -> client.forward(stranger, "/v1/chat/completions", "{}".getBytes(StandardCharsets.UTF_8)))
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

    assertThat(client.forward(replica, "/v1/embeddings", "{}".getBytes(StandardCharsets.UTF_8)).get().statusCode()).isEqualTo(200);
    for (String route : new String[] {"/v1/load_lora_adapter", "/tokenize", "/reset_prefix_cache", "/v1/models"}) {
      assertThatThrownBy(() -> client.forward(replica, route, new byte[0]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("route " + route + " is never forwarded to a backend");
    }
    assertThat(hits).hasValue(1);
    assertThat(client.healthy(base)).isTrue();
  }
}
