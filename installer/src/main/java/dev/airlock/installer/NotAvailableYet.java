package dev.airlock.installer;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command group that this build does not have yet. It says so and exits non-zero, rather than
 * pretending to work.
 */
abstract class NotAvailableYet implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println(
        "airlock " + spec.name() + ": not available yet in this build of Airlock.");
    return AirlockCli.EXIT_NOT_AVAILABLE;
  }
}
