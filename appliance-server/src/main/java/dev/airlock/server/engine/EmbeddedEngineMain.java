package dev.airlock.server.engine;

import com.sun.net.httpserver.HttpServer;
import dev.airlock.vault.metadata.GgufFile;
import dev.airlock.vault.metadata.GgufReader;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The embedded CPU engine as its own process: loads one GGUF model into llama.cpp and serves it
 * on loopback with vLLM's OpenAI routes. It runs in a child process of the server so that a crash
 * in native code ends only this process; the gateway's supervisor sees it die and restarts it.
 *
 * <pre>java -cp &lt;server classpath&gt; dev.airlock.server.engine.EmbeddedEngineMain --model &lt;gguf&gt;
 *     --host 127.0.0.1 --port N --served-model-name NAME [--threads T] [--ctx-size C] [--embeddings]</pre>
 *
 * <p>Exit status says what went wrong before serving: {@value #EXIT_USAGE} a bad command line or
 * environment, {@value #EXIT_MODEL_FILE} a model file that is missing or not GGUF,
 * {@value #EXIT_PORT_IN_USE} the port is taken, {@value #EXIT_LOAD_FAILED} llama.cpp could not load
 * the model. Once serving, it runs until killed, or until the process that started it exits
 * ({@value #EXIT_PARENT_GONE}).
 */
public final class EmbeddedEngineMain {
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_MODEL_FILE = 3;
  public static final int EXIT_PORT_IN_USE = 4;
  public static final int EXIT_LOAD_FAILED = 5;
  /** The process that started the engine has exited; the engine does not outlive it. */
  public static final int EXIT_PARENT_GONE = 6;

  /** Printed on stdout when the model is loaded and requests are answered; the rest of the line is key=value. */
  public static final String READY_LINE = "airlock embedded engine ready:";

  static final String USAGE = "usage: EmbeddedEngineMain --model <file.gguf> --host 127.0.0.1 --port <N> "
      + "--served-model-name <NAME> [--threads <T>] [--ctx-size <C>] [--embeddings]";

  /** Pending connections the listener queues while all handlers are busy. */
  private static final int BACKLOG = 256;

  private EmbeddedEngineMain() {}

  public static void main(String[] args) {
    long start = System.nanoTime();
    EngineOptions options;
    try {
      options = EngineOptions.parse(List.of(args));
      EmbeddedEngineLauncher.checkEnvironment(System.getenv());
    } catch (EngineOptions.UsageException e) {
      exit(EXIT_USAGE, e.getMessage() + "\n" + USAGE);
      return;
    }

    exitWithParent();

    GgufFile header;
    try {
      if (!Files.isReadable(options.model()) && Files.isRegularFile(options.model())) {
        throw new IOException(options.model() + ": is not readable by this process; check its permissions");
      }
      header = GgufReader.read(options.model(), options.model().toString());
      if (header.architecture().isEmpty()) {
        throw new IOException(options.model() + ": has no general.architecture key; it is not a model llama.cpp can load");
      }
    } catch (IOException e) {
      exit(EXIT_MODEL_FILE, "cannot serve the model: " + e.getMessage());
      return;
    }

    OpenAiRoutes routes = new OpenAiRoutes(options.servedModelName(), options.model().toString());
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), BACKLOG);
    } catch (BindException e) {
      exit(EXIT_PORT_IN_USE, "port " + options.port() + " on " + options.host()
          + " is already in use: stop what listens there or choose another --port");
      return;
    } catch (IOException e) {
      exit(EXIT_PORT_IN_USE, "cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage());
      return;
    }
    // Platform threads: a generation blocks inside native code for its whole length, which a
    // virtual thread would do while holding one of the scheduler's few carrier threads.
    server.setExecutor(Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("engine-http-", 0).factory()));
    server.createContext("/", routes::handle);
    server.start(); // /health answers 503 while the model loads

    long loadStart = System.nanoTime();
    LlamaEngine engine;
    try {
      engine = LlamaEngine.load(options, header);
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      server.stop(0);
      exit(EXIT_LOAD_FAILED, "llama.cpp could not load " + options.model() + ": " + e.getMessage()
          + "; check that it is a complete GGUF model of an architecture llama.cpp supports");
      return;
    }
    routes.ready(engine);
    long now = System.nanoTime();
    System.out.println(READY_LINE + " model=" + options.servedModelName() + " host=" + options.host() + " port="
        + options.port() + " threads=" + options.threads() + " ctx_size=" + options.ctxSize()
        + " start_ms=" + (now - start) / 1_000_000 + " load_ms=" + (now - loadStart) / 1_000_000);
    System.out.flush();
  }

  /**
   * The engine belongs to the server that started it: when that process ends, even by a SIGKILL
   * that left it no chance to stop its children, the engine ends too instead of living on as an
   * orphan holding memory and a port.
   */
  private static void exitWithParent() {
    ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() ->
        exit(EXIT_PARENT_GONE, "the process that started it (pid " + parent.pid() + ") has exited; stopping")));
  }

  private static void exit(int status, String message) {
    System.err.println("airlock embedded engine: " + message);
    System.err.flush();
    System.exit(status);
  }
}
