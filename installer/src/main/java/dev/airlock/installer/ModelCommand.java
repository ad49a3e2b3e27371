package dev.airlock.installer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "model", description = "Sign and verify models, directories or single files (OpenSSF Model Signing).",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {ModelSignCommand.class, ModelVerifyCommand.class})
final class ModelCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
