package dev.airlock.server.engine;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How the server starts an embedded engine replica: a child JVM running {@link EmbeddedEngineMain}
 * on the server's own classpath, bound to loopback, with an environment built from an allowlist.
 * A backend supervisor uses {@link #command} and {@link #environment} the way it uses vLLM's, and
 * supervises the process the same way (health on {@code /health}, restart on exit).
 */
public final class EmbeddedEngineLauncher {
  /** The only variables copied from the server's environment: what a JVM needs to find itself and speak UTF-8. */
  static final Set<String> INHERITED_ENV = Set.of("PATH", "HOME", "LANG", "LC_ALL", "TZ");

  /**
   * Prefixes the engine refuses to start with: llama.cpp reads {@code LLAMA_ARG_*} as settings
   * (a model URL or hub repository among them) and {@code HF_*} names a model hub and its token.
   */
  static final List<String> REFUSED_ENV_PREFIXES = List.of("LLAMA_ARG_", "HF_", "HUGGING_FACE_");

  /** The engine's Java heap holds requests only; the model lives in native memory mapped from the file. */
  static final String HEAP = "-Xmx256m";

  private EmbeddedEngineLauncher() {}

  /**
   * One replica's settings.
   *
   * @param model the GGUF file in the vault (opened read-only)
   * @param workDir a directory of this replica's own, where the JNI library is unpacked (the binding
   *     deletes earlier copies it finds there, so replicas must not share one)
   */
  public record Settings(Path model, String servedModelName, int port, int threads, int ctxSize, boolean embeddings,
                         Path workDir) {
    public Settings {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(servedModelName, "servedModelName");
      Objects.requireNonNull(workDir, "workDir");
    }

    /** Settings with the default threads and context size and no embeddings. */
    public static Settings of(Path model, String servedModelName, int port, Path workDir) {
      return new Settings(model, servedModelName, port, EngineOptions.defaultThreads(), EngineOptions.DEFAULT_CTX_SIZE,
          false, workDir);
    }
  }

  /** The command line with this JVM's {@code java} and classpath. */
  public static List<String> command(Settings s) {
    return command(s, Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        absolute(System.getProperty("java.class.path")));
  }

  /** The child runs in its work directory, so relative classpath entries are resolved here first. */
  static String absolute(String classpath) {
    List<String> entries = new ArrayList<>();
    for (String e : classpath.split(File.pathSeparator)) {
      if (!e.isEmpty()) entries.add(Path.of(e).toAbsolutePath().toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  public static List<String> command(Settings s, String javaExecutable, String classpath) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaExecutable);
    cmd.add(HEAP);
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    // Start-up matters more than peak JIT speed here: the work is in native code, Java only moves JSON.
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Djava.io.tmpdir=" + s.workDir());
    cmd.add("-Dde.kherud.llama.tmpdir=" + s.workDir());
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(EmbeddedEngineMain.class.getName());
    cmd.add("--model");
    cmd.add(s.model().toString());
    cmd.add("--host");
    cmd.add("127.0.0.1");
    cmd.add("--port");
    cmd.add(Integer.toString(s.port()));
    cmd.add("--served-model-name");
    cmd.add(s.servedModelName());
    cmd.add("--threads");
    cmd.add(Integer.toString(s.threads()));
    cmd.add("--ctx-size");
    cmd.add(Integer.toString(s.ctxSize()));
    if (s.embeddings()) cmd.add("--embeddings");
    return cmd;
  }

  /** The child's whole environment: the allowlisted variables of {@code serverEnv}, nothing else. */
  public static Map<String, String> environment(Map<String, String> serverEnv) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String name : new TreeSet<>(INHERITED_ENV)) {
      String value = serverEnv.get(name);
      if (value != null) env.put(name, value);
    }
    return env;
  }

  /**
   * Starts a replica with {@link #command(Settings)}, {@link #environment}, and stdout and stderr
   * appended to {@code logFile}. The caller supervises the returned process.
   */
  public static Process start(Settings s, Path logFile) throws IOException {
    return start(command(s), s, logFile);
  }

  static Process start(List<String> command, Settings s, Path logFile) throws IOException {
    Files.createDirectories(s.workDir());
    if (logFile.getParent() != null) Files.createDirectories(logFile.getParent());
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(environment(System.getenv()));
    pb.directory(s.workDir().toFile());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    return pb.start();
  }

  /** Refuses an environment that could change llama.cpp's settings or point it at a model hub. */
  static void checkEnvironment(Map<String, String> env) {
    List<String> refused = new ArrayList<>();
    for (String name : new TreeSet<>(env.keySet())) {
      for (String prefix : REFUSED_ENV_PREFIXES) {
        if (name.startsWith(prefix)) refused.add(name);
      }
    }
    if (!refused.isEmpty()) {
      throw new EngineOptions.UsageException("the environment carries " + refused
          + ", which llama.cpp would read as settings or hub credentials; start the engine through "
          + "EmbeddedEngineLauncher, which passes only " + new TreeSet<>(INHERITED_ENV));
    }
  }
}
