package dev.airlock.installer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code airlock policy}: check a model against a policy; validate policy files. */
@Command(
    name = "policy",
    description = "Check a model against a policy; validate policy files.",
    mixinStandardHelpOptions = true,
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {PolicyCheckCommand.class, PolicyValidateCommand.class})
final class PolicyCommand implements Runnable {
  /** Bad input: a missing file, an invalid policy or organization profile. */
  static final int EXIT_BAD_INPUT = 1;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
