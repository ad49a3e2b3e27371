package dev.airlock.server.backend;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Installs the vLLM stand-in as an executable named {@code vllm} in a directory, the way an
 * operator's vLLM would be installed, and reads back what it recorded (its launches and the request
 * bodies it received).
 */
public final class StandIn {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path executable;
  private final Path records;
  private final List<Process> started = new java.util.concurrent.CopyOnWriteArrayList<>();

  private StandIn(Path executable, Path records) {
    this.executable = executable;
    this.records = records;
  }

  public static StandIn install(Path dir) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path records = Files.createDirectories(dir.resolve("records"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cp = new ArrayList<>();
    for (Class<?> c : List.of(VllmStandIn.class, ObjectMapper.class, JsonFactory.class, JsonCreator.class)) {
      cp.add(location(c));
    }
    Path script = bin.resolve("vllm");
    Files.writeString(script, "#!/bin/sh\n"
        + "# The vLLM stand-in for Airlock's tests: takes `vllm serve` arguments.\n"
        + "exec '" + java + "' -XX:TieredStopAtLevel=1 -Xshare:auto -cp '" + String.join(File.pathSeparator, cp)
        + "' -Dstandin.record='" + records + "' " + VllmStandIn.class.getName() + " \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new StandIn(script, records);
  }

  private static String location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public Path executable() {
    return executable;
  }

  public Path records() {
    return records;
  }

  /**
   * Starts a stand-in directly (as an external backend would run), with the environment vLLM is
   * given, and returns once it answers on its port.
   */
  public Process startExternal(String servedName, int port) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(executable.toString(), "serve", "/models/" + servedName,
        "--served-model-name", servedName, "--host", "127.0.0.1", "--port", Integer.toString(port));
    pb.environment().clear();
    pb.environment().putAll(VllmLaunch.OFFLINE_ENV);
    pb.redirectErrorStream(true);
    pb.redirectOutput(records.resolve("external-" + port + ".log").toFile());
    Process p = pb.start();
    started.add(p);
    try {
      // Bound before returning: a supervisor choosing ports now must see this one taken.
      awaitHealthy(port, java.time.Duration.ofSeconds(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the stand-in on port " + port + " started", e);
    }
    return p;
  }

  /** Stops every stand-in {@link #startExternal} started (and anything they started), waiting until they are gone. */
  public void stopExternals() {
    for (Process p : started) new ProcessTree(p).terminate(java.time.Duration.ofSeconds(5));
    started.clear();
  }

  /** The argv and environment of the stand-in launched on this port. */
  public JsonNode launch(int port) throws IOException {
    return JSON.readTree(records.resolve("launch-" + port + ".json").toFile());
  }

  /** Every request body received on this port, as "route body" lines, oldest first. */
  public List<String> requests(int port) throws IOException {
    Path f = records.resolve("requests-" + port + ".jsonl");
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  /** Every request received by any stand-in in this directory. */
  public List<String> allRequests() throws IOException {
    List<String> out = new ArrayList<>();
    try (var files = Files.list(records)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("requests-")).toList()) {
        out.addAll(Files.readAllLines(f));
      }
    }
    return out;
  }

  /** Waits until something answers 200 on http://127.0.0.1:port/health. */
  public static void awaitHealthy(int port, Duration timeout) throws InterruptedException {
    var client = java.net.http.HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        var r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/health")).build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) return;
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("stand-in on port " + port + " not healthy within " + timeout);
  }

  public static Map<String, String> env(JsonNode launch) {
    return JSON.convertValue(launch.get("env"), JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
  }
}
