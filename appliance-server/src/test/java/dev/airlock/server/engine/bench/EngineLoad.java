package dev.airlock.server.engine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.server.engine.EmbeddedEngineLauncher;
import dev.airlock.vault.metadata.TinyLlamaModel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Load generator for the embedded engine on the tiny model (a benchmark, not a test): child start
 * to ready, and generation speed for each thread count, side by side in one run.
 * Run from the repository root with the test classpath (see docs/benchmarks.md).
 *
 * <pre>EngineLoad DIR STARTS RUNS TOKENS THREADS...</pre>
 * For each thread count: STARTS cold starts of the child (process start to /health 200), then on
 * one warm child RUNS non-streamed completions of TOKENS tokens (ignore_eos, so every run generates
 * exactly TOKENS) and RUNS streamed ones (time to first token). Medians are printed as plain lines.
 */
public final class EngineLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int starts = Integer.parseInt(args[1]);
    int runs = Integer.parseInt(args[2]);
    int tokens = Integer.parseInt(args[3]);
    Files.createDirectories(dir);
    Path model = dir.resolve("tiny.gguf");
    TinyLlamaModel.DEFAULT.writeTo(model);
    System.out.printf("model %s, %d bytes; %d cores; %s%n", TinyLlamaModel.NAME, Files.size(model),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    for (int a = 4; a < args.length; a++) {
      int threads = Integer.parseInt(args[a]);
      List<Double> ready = new ArrayList<>();
      for (int i = 0; i < starts; i++) {
        long t0 = System.nanoTime();
        Process p = start(dir, model, threads, "s" + threads + "-" + i);
        try {
          awaitReady(p, port(p));
          ready.add((System.nanoTime() - t0) / 1e6);
        } finally {
          stop(p);
        }
      }
      Process p = start(dir, model, threads, "g" + threads);
      try {
        int port = port(p);
        awaitReady(p, port);
        complete(port, tokens, false); // warm-up
        List<Double> tps = new ArrayList<>();
        List<Double> ttft = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
          long t0 = System.nanoTime();
          int generated = complete(port, tokens, false);
          double s = (System.nanoTime() - t0) / 1e9;
          tps.add(generated / s);
          ttft.add(complete(port, tokens, true) / 1e6);
        }
        System.out.printf("threads=%d start_to_ready_ms median=%.0f (n=%d)  tokens_per_s median=%.0f (n=%d, %d tokens, "
            + "non-streamed, request to response)  ttft_ms median=%.1f%n", threads, median(ready), ready.size(),
            median(tps), runs, tokens, median(ttft));
      } finally {
        stop(p);
      }
    }
  }

  private static final java.util.Map<Process, Integer> PORTS = new java.util.concurrent.ConcurrentHashMap<>();

  private static Process start(Path dir, Path model, int threads, String name) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    var settings = new EmbeddedEngineLauncher.Settings(model, "tiny", port, threads, 2048, false, dir.resolve(name));
    Process p = EmbeddedEngineLauncher.start(settings, dir.resolve(name + ".log"));
    PORTS.put(p, port);
    return p;
  }

  private static int port(Process p) {
    return PORTS.get(p);
  }

  private static void awaitReady(Process p, int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) throw new IllegalStateException("engine exited with " + p.exitValue());
      try {
        var r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) return;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("engine not ready in 120 s");
  }

  /** Non-streamed: the tokens generated. Streamed: nanoseconds to the first byte of the first text chunk. */
  private static int complete(int port, int tokens, boolean stream) throws Exception {
    String body = "{\"prompt\":\"The model says\",\"max_tokens\":" + tokens + ",\"ignore_eos\":true,\"seed\":1,\"stream\":"
        + stream + "}";
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
        .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    if (!stream) {
      JsonNode r = JSON.readTree(HTTP.send(req, HttpResponse.BodyHandlers.ofString()).body());
      if (!r.path("choices").path(0).has("text")) throw new IllegalStateException("no completion: " + r);
      // With ignore_eos llama.cpp generates exactly max_tokens (its log: n_past = prompt + max_tokens);
      // usage.completion_tokens would count streamed pieces, fewer when bytes are held back.
      return tokens;
    }
    long t0 = System.nanoTime();
    try (InputStream in = HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream()).body()) {
      int first = in.read();
      long ttft = System.nanoTime() - t0;
      if (first < 0) throw new IllegalStateException("empty stream");
      in.readAllBytes();
      return (int) ttft;
    }
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroyForcibly();
    p.waitFor();
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
