package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthEndpointsTest {
  @TempDir Path dataDir;

  private EmbeddedServer start() {
    return ApplicationContext.run(EmbeddedServer.class,
        Map.of("airlock.data-dir", dataDir.toString(), "micronaut.server.port", -1));
  }

  @Test
  void healthIsUpAndReadinessChecksDatabaseAndDataDirectory() {
    try (EmbeddedServer server = start();
         HttpClient client = HttpClient.create(server.getURL())) {
      String live = client.toBlocking().retrieve("/health");
      assertThat(live).isEqualTo("{\"status\":\"UP\"}");

      String ready = client.toBlocking().retrieve("/health/ready");
      assertThat(ready).isEqualTo("{\"status\":\"UP\",\"checks\":{\"database\":\"UP\",\"dataDir\":\"UP\"}}");
      assertThat(dataDir.resolve("db/airlock.mv.db")).exists();
    }
  }

  @Test
  void readinessGoesDownWhenTheDatabaseIsGone() {
    try (EmbeddedServer server = start();
         HttpClient client = HttpClient.create(server.getURL())) {
      server.getApplicationContext().getBean(ApplianceDatabase.class).close();

      assertThatThrownBy(() -> client.toBlocking().retrieve("/health/ready"))
          .isInstanceOfSatisfying(HttpClientResponseException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE.getCode());
            assertThat(e.getResponse().getBody(String.class).orElseThrow()).contains(
                "{\"status\":\"DOWN\",\"checks\":{\"database\":\"DOWN\",\"dataDir\":\"UP\"}}");
          });
      // Liveness is about the process, not its dependencies.
      assertThat(client.toBlocking().retrieve("/health")).contains("\"UP\"");
    }
  }

  @Test
  void readinessGoesDownWhenTheDataDirectoryDisappears() throws Exception {
    try (EmbeddedServer server = start();
         HttpClient client = HttpClient.create(server.getURL())) {
      Path moved = Files.move(dataDir, dataDir.resolveSibling(dataDir.getFileName() + "-moved"));
      try {
        assertThatThrownBy(() -> client.toBlocking().retrieve("/health/ready"))
            .isInstanceOfSatisfying(HttpClientResponseException.class, e ->
                assertThat(e.getResponse().getBody(String.class).orElseThrow()).contains("\"dataDir\":\"DOWN\""));
      } finally {
        Files.move(moved, dataDir);
      }
    }
  }

  @Test
  void keepsTheSameApplianceIdentityAcrossRestarts() {
    String first;
    try (EmbeddedServer server = start()) {
      first = server.getApplicationContext().getBean(ApplianceDatabase.class).instanceId();
    }
    try (EmbeddedServer server = start()) {
      assertThat(server.getApplicationContext().getBean(ApplianceDatabase.class).instanceId())
          .isEqualTo(first)
          .matches("[0-9a-f-]{36}");
    }
  }
}
