package dev.airlock.installer;

import picocli.CommandLine.Command;

@Command(name = "vault", mixinStandardHelpOptions = true,
    description = "Look into the vault and check its stored blobs against their digests.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {VaultVerifyCommand.class, VaultListCommand.class})
final class VaultCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
