package dev.airlock.installer;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Listed so that help shows every entry point; the launcher script runs the server itself. */
@Command(name = "server", description = "Start the appliance server (through ./airlock server).")
final class ServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println(
        "The server runs from its own jar: use './airlock server', or "
            + "'java -jar appliance-server/target/airlock-server.jar'.");
    return 2;
  }
}
