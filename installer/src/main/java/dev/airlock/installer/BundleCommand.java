package dev.airlock.installer;

import picocli.CommandLine.Command;

@Command(name = "bundle", mixinStandardHelpOptions = true,
    description = "Create, verify, inspect and import signed offline bundles.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {BundleCreateCommand.class, BundleVerifyCommand.class,
        BundleInspectCommand.class, BundleImportCommand.class},
    footer = {"", "Exit codes: 0 done; 1 the bundle was refused (the reason is printed);"
        + " 2 bad arguments; 4 the command could not run (unreadable file, vault in use)."})
final class BundleCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
