package dev.airlock.installer;

import dev.airlock.vault.Vault;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.flywaydb.core.api.FlywayException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "revoke", mixinStandardHelpOptions = true,
    description = {"Revoke a trusted key or CA (the server must be stopped).",
        "Bundles and models it signed are refused from now on; models it already brought in are"
            + " flagged in the catalog."})
final class TrustRevokeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME|FINGERPRINT", description = "The entry to revoke.")
  String entry;

  @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why, for the record.")
  String reason;

  @Mixin DataDirOption data;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    try (Vault vault = Vault.openEmbedded(data.dataDir, Vault.Options.defaults())) {
      vault.trust().recordChangesWith((e, revoked) -> OfflineAudit.trustChange(data.dataDir, e, revoked));
      Vault.Revocation r = vault.revokeTrust(entry, reason);
      var out = spec.commandLine().getOut();
      out.println("Revoked " + TrustListCommand.describe(r.anchor()));
      out.println(r.modelsFlagged() + " model version(s) it vouched for are now flagged.");
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("airlock trust revoke: " + e.getMessage());
      return VaultExits.USAGE;
    } catch (IOException | IllegalStateException | FlywayException e) {
      err.println("airlock trust revoke: " + e.getMessage());
      return VaultExits.CANNOT_RUN;
    }
  }
}
