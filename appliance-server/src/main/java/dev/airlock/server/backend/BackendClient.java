package dev.airlock.server.backend;

import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The gateway's only way out: HTTP to backend replicas the supervisor knows, on the OpenAI routes
 * the gateway forwards (and the health routes it polls). Any other address or path is refused
 * before a connection is opened.
 */
@Singleton
public class BackendClient {
  /** The routes ever forwarded to a backend. vLLM's other routes (its admin and tokenizer APIs) are never reachable. */
  public static final Set<String> FORWARDED_ROUTES = Set.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings");
  /** Routes the supervisor polls; GET only. */
  static final Set<String> HEALTH_ROUTES = Set.of("/health", "/v1/models");
  /** Connecting to a loopback or LAN backend takes microseconds; longer means it is not there. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(CONNECT_TIMEOUT)
      .followRedirects(HttpClient.Redirect.NEVER)
      .proxy(java.net.ProxySelector.of(null))
      // Completions run on the client's selector thread, which only hands bytes on (callers block on
      // virtual threads, body handlers never block): one thread hop fewer per request than a pool.
      .executor(Runnable::run)
      .build();
  private final BackendRegistry registry;

  public BackendClient(BackendRegistry registry) {
    this.registry = registry;
  }

  /** Sends a request body to a replica and returns the response as it streams in. */
  public CompletableFuture<HttpResponse<InputStream>> forward(Replica replica, String route, byte[] body) {
    return http.sendAsync(request(replica, route, body), HttpResponse.BodyHandlers.ofInputStream());
  }

  /**
   * Sends a request body to a replica and returns the whole answer, for non-streamed requests:
   * the client completes once with all the bytes, rather than waking the caller per buffer.
   */
  public CompletableFuture<HttpResponse<byte[]>> forwardWhole(Replica replica, String route, byte[] body) {
    return http.sendAsync(request(replica, route, body), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpRequest request(Replica replica, String route, byte[] body) {
    if (!FORWARDED_ROUTES.contains(route)) {
      throw new IllegalArgumentException("route " + route + " is never forwarded to a backend");
    }
    URI uri = checked(replica.base(), route);
    return HttpRequest.newBuilder(uri)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  /** True when the replica answers its health route with 2xx. */
  public boolean healthy(URI base) {
    try {
      HttpRequest request = HttpRequest.newBuilder(checked(base, "/health")).timeout(HEALTH_TIMEOUT).GET().build();
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status == 404) {
        // Some OpenAI-compatible servers have no /health; a model listing proves the same.
        HttpRequest models = HttpRequest.newBuilder(checked(base, "/v1/models")).timeout(HEALTH_TIMEOUT).GET().build();
        status = http.send(models, HttpResponse.BodyHandlers.discarding()).statusCode();
      }
      return status / 100 == 2;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private URI checked(URI base, String route) {
    if (!registry.isConfigured(base)) {
      throw new IllegalArgumentException("refusing to contact " + base + ": it is not a configured backend");
    }
    return base.resolve(route);
  }
}
