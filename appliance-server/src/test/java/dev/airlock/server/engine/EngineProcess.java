package dev.airlock.server.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** An embedded engine child started by the launcher, for tests: waits for it, talks to it, and ends it. */
final class EngineProcess implements AutoCloseable {
  /** Loading the tiny model takes about a second; a shared build machine may be slow. */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final Process process;
  final int port;
  final Path log;

  private EngineProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  static EngineProcess start(EmbeddedEngineLauncher.Settings settings, Path log) throws IOException {
    return new EngineProcess(EmbeddedEngineLauncher.start(settings, log), settings.port(), log);
  }

  static EmbeddedEngineLauncher.Settings settings(Path model, String name, Path workDir) throws IOException {
    return settings(model, name, workDir, 512);
  }

  static EmbeddedEngineLauncher.Settings settings(Path model, String name, Path workDir, int ctxSize) throws IOException {
    // One thread: the build machines are shared, and OpenMP threads that spin on a busy core slow everyone.
    return new EmbeddedEngineLauncher.Settings(model, name, freePort(), 1, ctxSize, false, workDir);
  }

  /** Waits for /health to answer 200; fails with the engine's log if it exits or takes too long. */
  EngineProcess awaitReady() throws Exception {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("engine exited with " + process.exitValue() + " before it was ready:\n" + log());
      }
      if (health() == 200) return this;
      Thread.sleep(50);
    }
    throw new AssertionError("engine not ready within " + READY_TIMEOUT + ":\n" + log());
  }

  /** The status of GET /health, or -1 when nothing answers. */
  int health() {
    try {
      return HTTP.send(HttpRequest.newBuilder(uri("/health")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  HttpResponse<String> post(String path, String json) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port + "/v1";
  }

  String log() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
  }

  /** Waits for the process to end by itself and gives its exit status. */
  int awaitExit() throws Exception {
    if (!process.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("engine still running after " + READY_TIMEOUT + ":\n" + log());
    }
    return process.exitValue();
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
