package dev.airlock.installer;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Listed so that help shows every entry point; the launcher script runs the demo itself. */
@Command(name = "demo", description = "Run the end-to-end demo on this machine (through ./airlock demo).")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("The demo runs through the launcher: use './airlock demo'.");
    return 2;
  }
}
