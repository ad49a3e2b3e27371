package dev.airlock.installer;

import dev.airlock.vault.signing.ModelVerifier;
import dev.airlock.vault.signing.VerifyingKey;
import dev.airlock.vault.trust.TrustAnchor;
import dev.airlock.vault.trust.TrustRole;
import dev.airlock.vault.trust.TrustStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "add", mixinStandardHelpOptions = true,
    description = "Trust a public key or a CA root certificate for one role.")
final class TrustAddCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DataDirOption data;

  @Option(names = "--role", required = true, paramLabel = "ROLE",
      description = "transfer (signs bundles) or publisher (signs models).")
  TrustRole role;

  @Option(names = "--name", required = true, paramLabel = "NAME", description = "A name for this entry.")
  String name;

  static final class Material {
    @Option(names = "--key", required = true, paramLabel = "PEM", description = "An EC public key (PEM).")
    Path key;

    @Option(names = "--ca-cert", required = true, paramLabel = "PEM",
        description = "A CA root certificate (PEM); its validity applies unless narrowed.")
    Path caCert;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Material material;

  @Option(names = "--not-before", paramLabel = "INSTANT", description = "Trusted from (e.g. 2026-01-01T00:00:00Z).")
  Instant notBefore;

  @Option(names = "--not-after", paramLabel = "INSTANT", description = "Trusted until (e.g. 2027-01-01T00:00:00Z).")
  Instant notAfter;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    try {
      TrustStore store = TrustStore.open(data.dataDir, Clock.systemUTC());
      store.recordChangesWith((entry, revoked) -> OfflineAudit.trustChange(data.dataDir, entry, revoked));
      TrustAnchor a = material.key != null
          ? store.addKey(name, role, VerifyingKey.fromPem(material.key).publicKey(),
              Optional.ofNullable(notBefore), Optional.ofNullable(notAfter))
          : store.addCa(name, role, ModelVerifier.readCertificates(material.caCert).getFirst(),
              Optional.ofNullable(notBefore), Optional.ofNullable(notAfter));
      spec.commandLine().getOut().println("Trusted " + TrustListCommand.describe(a));
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("airlock trust add: " + e.getMessage());
      return VaultExits.USAGE;
    } catch (IOException e) {
      err.println("airlock trust add: " + BundleOutput.describe(e));
      return VaultExits.CANNOT_RUN;
    }
  }
}
