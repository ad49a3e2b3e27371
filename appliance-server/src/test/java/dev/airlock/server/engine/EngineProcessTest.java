package dev.airlock.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.vault.metadata.GgufWriter;
import dev.airlock.vault.metadata.TinyLlamaModel;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine as a supervised child: a crash ends only the child and is seen at once; bad input
 * (missing model, not a GGUF, a model llama.cpp cannot load, a port in use, a non-loopback host,
 * a hub-pointing environment) ends it with a status and a message that say what to do.
 */
class EngineProcessTest {
  @TempDir Path dir;

  private Path tinyModel() throws Exception {
    Path model = dir.resolve("tiny.gguf");
    if (!Files.exists(model)) TinyLlamaModel.DEFAULT.writeTo(model);
    return model;
  }

  @Test
  void killingTheChildWithSigkillLeavesThisJvmServingAndIsSeenAtOnce() throws Exception {
    try (EngineProcess engine = EngineProcess.start(EngineProcess.settings(tinyModel(), "tiny", dir.resolve("w1")),
        dir.resolve("e1.log")).awaitReady()) {
      assertThat(engine.post("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":2}").statusCode()).isEqualTo(200);
      var exited = engine.process.onExit();

      // kill -9: no shutdown hook, no cleanup, as after a native crash.
      new ProcessBuilder("kill", "-9", Long.toString(engine.process.pid())).start().waitFor();

      Process dead = exited.get(30, TimeUnit.SECONDS);
      assertThat(dead.exitValue()).isEqualTo(128 + 9);
      assertThat(engine.health()).isEqualTo(-1);
    }
    // This JVM is unharmed: it starts a fresh engine that answers.
    try (EngineProcess again = EngineProcess.start(EngineProcess.settings(tinyModel(), "tiny", dir.resolve("w2")),
        dir.resolve("e2.log")).awaitReady()) {
      assertThat(again.post("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":2}").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anEngineWhoseParentIsKilledOutrightStopsByItself() throws Exception {
    // A shell stands for the server: it starts the engine, then is killed with SIGKILL, which gives
    // it no chance to stop its children.
    EmbeddedEngineLauncher.Settings settings = EngineProcess.settings(tinyModel(), "tiny", dir.resolve("w9"));
    Files.createDirectories(settings.workDir());
    Path log = dir.resolve("e9.log");
    StringBuilder line = new StringBuilder();
    for (String arg : EmbeddedEngineLauncher.command(settings)) line.append('\'').append(arg.replace("'", "'\\''")).append("' ");
    Process shell = new ProcessBuilder("sh", "-c", line + "> '" + log + "' 2>&1 & wait").start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.exists(log) || !Files.readString(log).contains(EmbeddedEngineMain.READY_LINE)) {
      assertThat(System.nanoTime() - deadline).as("engine ready").isNegative();
      Thread.sleep(50);
    }
    ProcessHandle engine = shell.children().findFirst().orElseThrow();

    shell.destroyForcibly();

    while (!Files.readString(log).contains("has exited; stopping")) {
      assertThat(System.nanoTime() - deadline).as("engine stopped by itself").isNegative();
      Thread.sleep(50);
    }
    assertThat(Files.readString(log)).contains("airlock embedded engine: the process that started it (pid "
        + shell.pid() + ") has exited; stopping");
    while (ProcessHandle.of(engine.pid()).flatMap(h -> h.info().command()).isPresent()) {
      // gone, or a zombie (init may not reap it here): either way nothing of it runs
      assertThat(System.nanoTime() - deadline).as("engine process gone").isNegative();
      Thread.sleep(50);
    }
  }

  @Test
  void sigtermFromTheSupervisorStopsTheChild() throws Exception {
    try (EngineProcess engine = EngineProcess.start(EngineProcess.settings(tinyModel(), "tiny", dir.resolve("w3")),
        dir.resolve("e3.log")).awaitReady()) {
      engine.process.destroy(); // SIGTERM, as the supervisor's first step when it stops a replica

      assertThat(engine.process.waitFor(30, TimeUnit.SECONDS)).as("exited on SIGTERM").isTrue();
      assertThat(engine.process.exitValue()).isEqualTo(128 + 15);
      assertThat(engine.health()).isEqualTo(-1);
    }
  }

  @Test
  void missingModelFileEndsWithStatus3NamingThePath() throws Exception {
    Path missing = dir.resolve("vault/nothing-here.gguf");
    try (EngineProcess engine = EngineProcess.start(EngineProcess.settings(missing, "m", dir.resolve("w")), dir.resolve("e.log"))) {
      assertThat(engine.awaitExit()).isEqualTo(EmbeddedEngineMain.EXIT_MODEL_FILE);
      assertThat(engine.log()).contains("cannot serve the model: " + missing + ": no such GGUF file; check the path");
    }
  }

  @Test
  void fileThatIsNotGgufEndsWithStatus3SayingWhatWasFound() throws Exception {
    Path junk = dir.resolve("model.gguf");
    Files.writeString(junk, "<html>this is a download error page, not a model</html>");
    try (EngineProcess engine = EngineProcess.start(EngineProcess.settings(junk, "m", dir.resolve("w")), dir.resolve("e.log"))) {
      assertThat(engine.awaitExit()).isEqualTo(EmbeddedEngineMain.EXIT_MODEL_FILE);
      assertThat(engine.log()).contains("cannot serve the model: " + junk).contains("magic");
    }
  }

  @Test
  void ggufThatLlamaCppCannotLoadEndsWithStatus5() throws Exception {
    // A well-formed GGUF header that claims llama but has no tensors at all.
    Path hollow = dir.resolve("hollow.gguf");
    new GgufWriter().putString("general.architecture", "llama").putUint32("llama.block_count", 2).writeTo(hollow);
    try (EngineProcess engine = EngineProcess.start(EngineProcess.settings(hollow, "m", dir.resolve("w")), dir.resolve("e.log"))) {
      assertThat(engine.awaitExit()).isEqualTo(EmbeddedEngineMain.EXIT_LOAD_FAILED);
      assertThat(engine.log()).contains("llama.cpp could not load " + hollow)
          .contains("check that it is a complete GGUF model of an architecture llama.cpp supports");
    }
  }

  @Test
  void portInUseEndsWithStatus4BeforeLoadingTheModel() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      var s = new EmbeddedEngineLauncher.Settings(tinyModel(), "m", port, 1, 256, false, dir.resolve("w"));
      try (EngineProcess engine = EngineProcess.start(s, dir.resolve("e.log"))) {
        assertThat(engine.awaitExit()).isEqualTo(EmbeddedEngineMain.EXIT_PORT_IN_USE);
        assertThat(engine.log()).contains("port " + port + " on 127.0.0.1 is already in use: stop what listens there or choose another --port")
            .doesNotContain("loading model");
      }
    }
  }

  @Test
  void nonLoopbackHostIsRefused() throws Exception {
    Result r = runMain(Map.of(), "--model", tinyModel().toString(), "--host", "0.0.0.0", "--port", "1",
        "--served-model-name", "m");

    assertThat(r.status).isEqualTo(EmbeddedEngineMain.EXIT_USAGE);
    assertThat(r.output).contains("--host must be a loopback address (127.0.0.1 or ::1), got '0.0.0.0'");
  }

  @Test
  void missingRequiredOptionsAreNamed() throws Exception {
    Result r = runMain(Map.of(), "--model", tinyModel().toString(), "--served-model-name", "m");

    assertThat(r.status).isEqualTo(EmbeddedEngineMain.EXIT_USAGE);
    assertThat(r.output).contains("--port <1-65535> is required").contains(EmbeddedEngineMain.USAGE);
  }

  @Test
  void environmentThatWouldSteerLlamaCppOrReachAHubIsRefused() throws Exception {
    Result r = runMain(Map.of("LLAMA_ARG_MODEL_URL", "https://example.org/model.gguf", "HF_TOKEN", "hf_x"),
        "--model", tinyModel().toString(), "--port", "1", "--served-model-name", "m");

    assertThat(r.status).isEqualTo(EmbeddedEngineMain.EXIT_USAGE);
    assertThat(r.output).contains("the environment carries [HF_TOKEN, LLAMA_ARG_MODEL_URL]");
  }

  @Test
  void launcherPassesOnlyAllowlistedVariablesAndBindsLoopback() {
    Map<String, String> env = EmbeddedEngineLauncher.environment(Map.of("PATH", "/usr/bin", "LANG", "C.UTF-8",
        "HF_TOKEN", "hf_secret", "LLAMA_ARG_HF_REPO", "x/y", "AIRLOCK_DB_PASSWORD", "pw", "http_proxy", "http://proxy:3128"));

    assertThat(env).containsOnlyKeys("PATH", "LANG");
    List<String> cmd = EmbeddedEngineLauncher.command(new EmbeddedEngineLauncher.Settings(Path.of("/vault/m.gguf"), "chat",
        8123, 3, 4096, false, Path.of("/data/engines/chat-0")), "/jdk/bin/java", "/app/server.jar");
    assertThat(String.join(" ", cmd)).isEqualTo("/jdk/bin/java -Xmx256m -XX:+ExitOnOutOfMemoryError "
        + "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir=/data/engines/chat-0 "
        + "-Dde.kherud.llama.tmpdir=/data/engines/chat-0 -cp /app/server.jar dev.airlock.server.engine.EmbeddedEngineMain "
        + "--model /vault/m.gguf --host 127.0.0.1 --port 8123 --served-model-name chat --threads 3 --ctx-size 4096");
  }

  @Test
  void modelFileIsNotModifiedByServing() throws Exception {
    Path model = tinyModel();
    byte[] before = Files.readAllBytes(model);
    model.toFile().setWritable(false);
    try (EngineProcess engine = EngineProcess.start(EngineProcess.settings(model, "ro", dir.resolve("w")), dir.resolve("e.log"))
        .awaitReady()) {
      assertThat(engine.post("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":3}").statusCode()).isEqualTo(200);
    } finally {
      model.toFile().setWritable(true);
    }
    assertThat(Files.readAllBytes(model)).isEqualTo(before);
  }

  private record Result(int status, String output) {}

  /** Runs the engine's main directly (not through the launcher) with exactly {@code env}. */
  private Result runMain(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), EmbeddedEngineMain.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }
}
