package dev.airlock.installer;

import dev.airlock.vault.bundle.BundleFile;
import dev.airlock.vault.bundle.BundleReader;
import dev.airlock.vault.bundle.BundleRejectedException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = {"Show a bundle's manifest (model, publisher, origin, files) without checking it.",
        "Reads only the first entries: instant even for large bundles. Use 'bundle verify' to check."})
final class BundleInspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE.tar", description = "The bundle.")
  Path bundle;

  @Option(names = "--json", description = "Print the manifest exactly as it is in the bundle (JSON).")
  boolean json;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    BundleReader.Unverified u;
    try (InputStream in = Files.newInputStream(bundle)) {
      u = BundleReader.readManifestUnverified(in);
    } catch (BundleRejectedException e) {
      err.println("airlock bundle inspect: REFUSED (" + BundleOutput.problem(e) + "): " + e.getMessage());
      return VaultExits.REFUSED;
    } catch (NoSuchFileException e) {
      err.println("airlock bundle inspect: no such file: " + e.getFile());
      return VaultExits.CANNOT_RUN;
    } catch (IOException e) {
      err.println("airlock bundle inspect: cannot read " + bundle + ": " + e.getMessage());
      return VaultExits.CANNOT_RUN;
    }
    var out = spec.commandLine().getOut();
    if (json) {
      out.println(new String(u.manifestJson(), StandardCharsets.UTF_8).strip());
      return 0;
    }
    out.println("Bundle " + bundle + " (NOT verified: run 'airlock bundle verify' to check it)");
    BundleOutput.summary(out, u.manifest());
    for (BundleFile f : u.manifest().files()) {
      out.printf("  %14d  %s  %s%n", f.size(), f.sha256().hex(), f.path());
    }
    return 0;
  }
}
