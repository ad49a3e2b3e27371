package dev.airlock.installer;

import dev.airlock.vault.bundle.BundleFile;
import dev.airlock.vault.bundle.BundlePaths;
import dev.airlock.vault.bundle.BundleReader;
import dev.airlock.vault.bundle.BundleRejectedException;
import dev.airlock.vault.bundle.FileSink;
import dev.airlock.vault.bundle.VerifiedManifest;
import dev.airlock.vault.signing.VerifyingKey;
import dev.airlock.vault.trust.TrustAnchor;
import dev.airlock.vault.trust.TrustRole;
import dev.airlock.vault.trust.TrustStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check a bundle completely without importing it: the manifest's signature,"
        + " then every file's size and SHA-256, and every rule of the format.",
        "The publisher's model.sig, if any, is checked at import."})
final class BundleVerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE.tar", description = "The bundle.")
  Path bundle;

  static final class Trust {
    @Option(names = "--trust-key", paramLabel = "PEM", required = true,
        description = "A trusted transfer public key (PEM); repeat for several.")
    List<Path> keys = new ArrayList<>();

    @Option(names = "--data-dir", paramLabel = "DIR", required = true,
        description = "Use the transfer keys of this data directory's trust store.")
    Path dataDir;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Trust trust;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    List<TrustAnchor> anchors = new ArrayList<>();
    try {
      if (trust.dataDir != null) {
        anchors.addAll(TrustStore.open(trust.dataDir, Clock.systemUTC()).forRole(TrustRole.TRANSFER));
        if (anchors.isEmpty()) {
          err.println("airlock bundle verify: the trust store in " + trust.dataDir + " has no transfer"
              + " key; add one with 'airlock trust add --role transfer', or pass --trust-key");
          return VaultExits.USAGE;
        }
      } else {
        for (Path k : trust.keys) {
          anchors.add(TrustAnchor.adHoc(k.getFileName().toString(), TrustRole.TRANSFER,
              VerifyingKey.fromPem(k).publicKey()));
        }
      }
    } catch (IOException e) {
      err.println("airlock bundle verify: cannot read the trusted keys: " + BundleOutput.describe(e));
      return VaultExits.CANNOT_RUN;
    } catch (IllegalArgumentException e) {
      err.println("airlock bundle verify: cannot read the trusted keys: " + e.getMessage());
      return VaultExits.CANNOT_RUN;
    }
    BundleReader.Result result;
    try (InputStream in = Files.newInputStream(bundle)) {
      result = BundleReader.read(in, anchors, Clock.systemUTC().instant(), new BundleReader.Listener() {
        @Override
        public boolean manifestVerified(VerifiedManifest manifest) {
          return true;
        }

        @Override
        public Optional<FileSink> sinkFor(BundleFile file) {
          return Optional.empty();
        }
      }, TransferProgress.forCommand(err));
    } catch (BundleRejectedException e) {
      err.println("airlock bundle verify: REFUSED (" + BundleOutput.problem(e) + "): " + e.getMessage());
      return VaultExits.REFUSED;
    } catch (NoSuchFileException e) {
      err.println("airlock bundle verify: no such file: " + e.getFile());
      return VaultExits.CANNOT_RUN;
    } catch (IOException e) {
      err.println("airlock bundle verify: cannot read " + bundle + ": " + e.getMessage());
      return VaultExits.CANNOT_RUN;
    }
    VerifiedManifest vm = result.manifest();
    var out = spec.commandLine().getOut();
    out.println("Verified " + bundle);
    BundleOutput.summary(out, vm.manifest());
    out.println("  signed by: transfer key '" + vm.signer().name() + "' (" + vm.signer().fingerprint() + ")");
    out.println("  publisher signature: " + (vm.manifest().file(BundlePaths.PUBLISHER_SIGNATURE).isPresent()
        ? "model/model.sig present, checked against trusted publishers at import" : "none"));
    return 0;
  }
}
