package dev.airlock.installer;

import picocli.CommandLine.Command;

@Command(name = "trust", mixinStandardHelpOptions = true,
    description = "Manage trusted transfer and publisher keys and CA roots.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {TrustAddCommand.class, TrustListCommand.class, TrustRevokeCommand.class},
    footer = {"", "Roles: 'transfer' keys sign bundles (who may bring models in); 'publisher'"
        + " keys and CAs sign models (model.sig)."})
final class TrustCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
