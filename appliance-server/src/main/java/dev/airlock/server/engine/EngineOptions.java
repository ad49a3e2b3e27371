package dev.airlock.server.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The embedded engine's command line: {@code --model <gguf> --host 127.0.0.1 --port N
 * --served-model-name NAME [--threads T] [--ctx-size C] [--embeddings]}.
 *
 * @param threads CPU threads for generation
 * @param ctxSize the context window in tokens (prompt and completion together)
 * @param embeddings load the model for {@code /v1/embeddings} instead of generation
 */
public record EngineOptions(
    Path model, String host, int port, String servedModelName, int threads, int ctxSize, boolean embeddings) {

  /** Enough for the tiny test model and a useful default for small chat models on a laptop. */
  public static final int DEFAULT_CTX_SIZE = 2048;

  public EngineOptions {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(servedModelName, "servedModelName");
  }

  /** A CPU thread per core, but at least one: llama.cpp's own default. */
  public static int defaultThreads() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /** Parses the command line; every problem is a {@link UsageException} that says what to pass. */
  public static EngineOptions parse(List<String> args) {
    Path model = null;
    String host = "127.0.0.1";
    Integer port = null;
    String name = null;
    int threads = defaultThreads();
    int ctx = DEFAULT_CTX_SIZE;
    boolean embeddings = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--model" -> model = Path.of(value(args, ++i, a));
        case "--host" -> host = value(args, ++i, a);
        case "--port" -> port = number(args, ++i, a, 1, 65535);
        case "--served-model-name" -> name = value(args, ++i, a);
        case "--threads" -> threads = number(args, ++i, a, 1, 1024);
        case "--ctx-size" -> ctx = number(args, ++i, a, 16, 1 << 20);
        case "--embeddings" -> embeddings = true;
        default -> throw new UsageException("unknown option '" + a + "'");
      }
    }
    if (model == null) throw new UsageException("--model <path to a .gguf file> is required");
    if (port == null) throw new UsageException("--port <1-65535> is required");
    if (name == null) throw new UsageException("--served-model-name <name clients use> is required");
    if (!isLoopback(host)) {
      throw new UsageException("--host must be a loopback address (127.0.0.1 or ::1), got '" + host
          + "': the engine is reached only through the Airlock gateway");
    }
    return new EngineOptions(model, host, port, name, threads, ctx, embeddings);
  }

  private static boolean isLoopback(String host) {
    if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) return false; // a literal address only: no name lookup
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String value(List<String> args, int i, String option) {
    if (i >= args.size() || args.get(i).startsWith("--")) throw new UsageException(option + " needs a value");
    return args.get(i);
  }

  private static int number(List<String> args, int i, String option, int min, int max) {
    String v = value(args, i, option);
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException(option + " must be a whole number from " + min + " to " + max + ", got '" + v + "'");
    }
  }

  /** A command line the engine cannot run with. */
  public static final class UsageException extends RuntimeException {
    public UsageException(String message) {
      super(message);
    }
  }
}
