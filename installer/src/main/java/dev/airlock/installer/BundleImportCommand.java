package dev.airlock.installer;

import dev.airlock.vault.ImportResult;
import dev.airlock.vault.Vault;
import dev.airlock.vault.bundle.BundleRejectedException;
import dev.airlock.vault.catalog.ModelVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.flywaydb.core.api.FlywayException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Import a bundle into the vault of a data directory (the server must be stopped).",
        "Every signature and every byte is checked while the bundle is copied; nothing becomes"
            + " visible unless all of it checked out. Importing the same bundle again changes nothing."})
final class BundleImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE.tar", description = "The bundle.")
  Path bundle;

  @Mixin DataDirOption data;

  @Option(names = "--importer", paramLabel = "NAME", defaultValue = "${sys:user.name}",
      description = "Who imports, recorded in the model's provenance (default: the OS user).")
  String importer;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    if (!Files.isRegularFile(bundle)) {
      err.println("airlock bundle import: no such file: " + bundle);
      return VaultExits.CANNOT_RUN;
    }
    try (Vault vault = Vault.openEmbedded(data.dataDir, Vault.Options.defaults())) {
      ImportResult r = vault.importBundle(bundle, importer, TransferProgress.forCommand(err));
      ModelVersion v = r.version();
      var out = spec.commandLine().getOut();
      out.println(switch (r.outcome()) {
        case IMPORTED -> "Imported " + v.modelName() + " " + v.version() + " into " + data.dataDir;
        case ALREADY_PRESENT -> "Already in the vault: " + v.modelName() + " " + v.version()
            + " (bundle " + v.provenance().bundleId() + "); nothing changed";
      });
      out.println("  state:      " + v.state());
      out.println("  files:      " + r.files() + " (" + r.newBlobs() + " new blobs, "
          + r.bytes() + " bytes copied)");
      out.println("  signed by:  transfer key '" + v.provenance().transferSignerName() + "'");
      var ps = v.provenance().publisherSignature();
      out.println("  publisher signature: " + ps.status() + " (" + ps.detail() + ")");
      return 0;
    } catch (BundleRejectedException e) {
      err.println("airlock bundle import: REFUSED (" + BundleOutput.problem(e) + "): " + e.getMessage());
      return VaultExits.REFUSED;
    } catch (IOException | UncheckedIOException | IllegalStateException | FlywayException e) {
      err.println("airlock bundle import: " + e.getMessage());
      return VaultExits.CANNOT_RUN;
    }
  }
}
