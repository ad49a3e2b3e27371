package dev.airlock.server.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code airlock demo [--port N] [--data-dir D]} ({@code ./airlock demo}): the whole product on
 * this machine in one command, see {@link DemoRun}. Serves until Ctrl-C; a shutdown hook closes
 * the server, which stops the engine it started.
 */
public final class Demo {
  public static final int DEFAULT_PORT = 8080;
  public static final Path DEFAULT_DATA_DIR = Path.of("data", "demo");

  private static final String USAGE = "usage: airlock demo [--port N] [--data-dir DIR]"
      + "   (starts over in DIR, default ./data/demo, and serves on 127.0.0.1:N, default 8080)";

  /**
   * What to run: where to listen, the data directory to start over in, and extra server
   * properties (tests use them to keep the engine to one thread).
   */
  public record Options(int port, Path dataDir, Map<String, Object> serverProperties) {
    public Options {
      if (port < 1 || port > 65_535) throw new IllegalArgumentException("--port must be between 1 and 65535; found " + port);
      serverProperties = Map.copyOf(serverProperties);
    }
  }

  private Demo() {}

  public static boolean handles(String[] args) {
    return args.length >= 1 && args[0].equals("demo");
  }

  /** Runs the demo and serves until the process is stopped; returns the exit code on failure. */
  public static int main(String[] args, PrintStream out, PrintStream err) {
    // Before anything logs: the narrative is the demo's output, the server speaks up only when something is wrong.
    if (System.getenv("AIRLOCK_LOG_LEVEL") == null) System.setProperty("AIRLOCK_LOG_LEVEL", "WARN");
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("airlock demo: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (options == null) {
      out.println(USAGE);
      return 0;
    }
    DemoRun.Running running;
    try {
      running = DemoRun.start(options, out, System.console() != null);
    } catch (DemoRun.Failed e) {
      err.println("airlock demo: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println();
      out.println("Stopping: closing the server and its engine...");
      running.close();
      out.println("Stopped. Run ./airlock demo again to start over.");
      stopped.countDown();
    }, "airlock-demo-stop"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** The options, or null when help was asked for. */
  static Options parse(String[] args) {
    int port = DEFAULT_PORT;
    Path dataDir = DEFAULT_DATA_DIR;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "-h", "--help" -> {
          return null;
        }
        case "--port" -> {
          String v = value(args, ++i, a);
          try {
            port = Integer.parseInt(v);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port needs a number; found '" + v + "'");
          }
        }
        case "--data-dir" -> dataDir = Path.of(value(args, ++i, a));
        default -> throw new IllegalArgumentException("unknown option '" + a + "'");
      }
    }
    return new Options(port, dataDir, Map.of());
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length || args[i].isBlank()) throw new IllegalArgumentException(option + " needs a value");
    return args[i];
  }

  /** Refuses a port something already listens on, before anything expensive starts. */
  static void requireFreePort(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } catch (BindException e) {
      throw new DemoRun.Failed("port " + port + " is in use: stop what is using it or run ./airlock demo --port N");
    } catch (IOException e) {
      throw new DemoRun.Failed("cannot check port " + port + " (" + e.getMessage() + "); run ./airlock demo --port N");
    }
  }
}
