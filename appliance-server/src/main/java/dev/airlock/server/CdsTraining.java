package dev.airlock.server;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code airlock-server.jar cds-training}: starts the whole server once on a throwaway data
 * directory and a free loopback port, asks it whether it is ready, and stops, so that a JVM run
 * with {@code -XX:ArchiveClassesAtExit} records every class a start needs. The launcher does this
 * once per build; later starts map that archive instead of parsing those classes again.
 */
final class CdsTraining {
  static final String COMMAND = "cds-training";

  private CdsTraining() {}

  static int run(PrintStream err) {
    Path dir;
    try {
      dir = Files.createTempDirectory("airlock-cds-");
    } catch (IOException e) {
      err.println("cds-training: cannot make a temporary directory: " + e.getMessage());
      return 1;
    }
    try (ApplicationContext ctx = ApplicationContext.builder().deduceEnvironment(false)
        .properties(Map.of("airlock.data-dir", dir.toString(), "micronaut.server.host", "127.0.0.1",
            "micronaut.server.port", -1))
        .start()) {
      EmbeddedServer server = ctx.getBean(EmbeddedServer.class).start();
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(server.getURL() + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
      server.stop();
      return r.statusCode() == 200 ? 0 : 1;
    } catch (IOException | RuntimeException e) {
      err.println("cds-training: " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        err.println("cds-training: could not remove " + dir + ": " + e.getMessage());
      }
    }
  }
}
