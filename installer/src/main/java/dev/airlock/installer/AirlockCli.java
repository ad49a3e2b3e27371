package dev.airlock.installer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code airlock} command: one group per concern, each in its own class. */
@Command(
    name = "airlock",
    mixinStandardHelpOptions = true,
    versionProvider = AirlockCli.Version.class,
    description = "Airlock: run open-weight LLMs behind an audited, air-gapped gateway.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      ServerCommand.class,
      DemoCommand.class,
      ModelCommand.class,
      BundleCommand.class,
      TrustCommand.class,
      LicenseCommand.class,
      PolicyCommand.class,
      AuditCommand.class,
      KeysCommand.class,
      AdminCommand.class,
      VaultCommand.class,
    },
    footer = {"", "Run 'airlock COMMAND --help' for the commands of a group."})
public final class AirlockCli implements Runnable {

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.setProperty("org.spdx.useJARLicenseInfoOnly", "true");
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, shared by main and the tests. */
  public static CommandLine commandLine() {
    return new CommandLine(new AirlockCli()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = AirlockCli.class.getPackage().getImplementationVersion();
      return new String[] {"airlock " + (v == null ? "development build" : v)};
    }
  }
}
