package dev.airlock.installer;

import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.ModelVersion;
import java.io.IOException;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import org.flywaydb.core.api.FlywayException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "list", mixinStandardHelpOptions = true,
    description = "List the model versions in the vault with their state and provenance.")
final class VaultListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DataDirOption data;

  @Override
  public Integer call() {
    try (Vault vault = Vault.openEmbedded(data.dataDir, Vault.Options.defaults())) {
      var out = spec.commandLine().getOut();
      for (ModelVersion v : vault.catalog().list()) {
        var p = v.provenance();
        out.println(v.modelName() + " " + v.version() + "  " + v.state() + "  " + v.totalBytes()
            + " bytes  publisher " + p.publisher() + " (" + p.originCountry() + ")  bundle "
            + p.bundleId() + "  imported " + p.importedAt() + " by " + p.importer()
            + "  transfer key '" + p.transferSignerName() + "'  model.sig "
            + p.publisherSignature().status()
            + v.flag().map(f -> "  FLAGGED: " + f.reason()).orElse(""));
      }
      return 0;
    } catch (IOException | SQLException | IllegalStateException | FlywayException e) {
      spec.commandLine().getErr().println("airlock vault list: " + e.getMessage());
      return VaultExits.CANNOT_RUN;
    }
  }
}
