package dev.airlock.installer;

import dev.airlock.vault.Vault;
import dev.airlock.vault.VerifyReport;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.flywaydb.core.api.FlywayException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Re-hash every blob in the vault and report any whose bytes changed or vanished"
        + " (the server must be stopped).", "Exit 0: intact. Exit 1: damage found (listed)."})
final class VaultVerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DataDirOption data;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    try (Vault vault = Vault.openEmbedded(data.dataDir, Vault.Options.defaults())) {
      VerifyReport report = vault.verify(TransferProgress.forCommand(err));
      var out = spec.commandLine().getOut();
      for (VerifyReport.Damage d : report.damage()) {
        out.println("DAMAGED " + d.expected() + ": " + d.problem());
      }
      for (var u : report.unreferenced()) {
        out.println("UNREFERENCED " + u + ": in the blob store but in no model");
      }
      if (report.isIntact()) {
        out.println("Vault intact: " + report.blobsChecked() + " blobs, " + report.bytesChecked()
            + " bytes re-hashed in " + data.dataDir);
        return 0;
      }
      out.println(report.damage().size() + " of " + report.blobsChecked() + " blobs are damaged."
          + " Re-import the bundles of the models that use them.");
      return VaultExits.REFUSED;
    } catch (IOException | IllegalStateException | FlywayException e) {
      err.println("airlock vault verify: " + e.getMessage());
      return VaultExits.CANNOT_RUN;
    }
  }
}
