package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AirlockCliTest {
  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    CommandLine cli = AirlockCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void helpListsEveryCommandGroupInOrder() {
    Run r = run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("Usage: airlock [-hV] COMMAND")
        .containsSubsequence("server", "demo", "model", "bundle", "trust", "license", "policy",
            "audit", "keys", "admin");
  }

  @Test
  void noArgumentsPrintsHelp() {
    Run r = run();
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Commands:");
  }

  @Test
  void unknownCommandIsAnErrorNamingIt() {
    Run r = run("frobnicate");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Unmatched argument at index 0: 'frobnicate'");
  }

  @Test
  void serverAndDemoPointToTheLauncher() {
    Run r = run("server");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("./airlock server");
  }
}
