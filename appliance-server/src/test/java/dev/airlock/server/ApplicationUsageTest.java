package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ApplicationUsageTest {
  @Test
  void helpPrintsTheUsageAndDoesNotStartServing() {
    PrintStream before = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      Application.main(new String[] {"--help"});
    } finally {
      System.setOut(before);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: airlock-server.jar")
        .contains("admin bootstrap").contains("demo [--port N]").contains("AIRLOCK_DATA_DIR");
  }
}
