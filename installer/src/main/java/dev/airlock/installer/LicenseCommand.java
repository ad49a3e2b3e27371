package dev.airlock.installer;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code airlock license}: license facts about a model. */
@Command(
    name = "license",
    description = "Scan a model or bundle for licenses, lineage and obligations.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {LicenseScanCommand.class})
final class LicenseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("airlock license: give a command, e.g. 'airlock license scan DIR'.");
    spec.commandLine().usage(spec.commandLine().getErr());
    return spec.commandLine().getCommandSpec().exitCodeOnInvalidInput();
  }
}
