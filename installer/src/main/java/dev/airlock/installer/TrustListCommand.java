package dev.airlock.installer;

import dev.airlock.vault.trust.TrustAnchor;
import dev.airlock.vault.trust.TrustStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List trusted keys and CA roots.")
final class TrustListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DataDirOption data;

  @Override
  public Integer call() {
    try {
      var all = TrustStore.open(data.dataDir, Clock.systemUTC()).all();
      var out = spec.commandLine().getOut();
      if (all.isEmpty()) {
        out.println("The trust store in " + data.dataDir + " is empty; add keys with 'airlock trust add'.");
      }
      for (TrustAnchor a : all) out.println(describe(a));
      return 0;
    } catch (IOException e) {
      spec.commandLine().getErr().println("airlock trust list: " + e.getMessage());
      return VaultExits.CANNOT_RUN;
    }
  }

  static String describe(TrustAnchor a) {
    Instant now = Instant.now();
    String status = a.revocation().map(r -> "REVOKED " + r.at() + " (" + r.reason() + ")")
        .orElse(a.isValidAt(now) ? "valid" : "outside its validity");
    return "'" + a.name() + "' " + a.role().label() + " "
        + (a.isCa() ? "CA " + a.caCertificate().get().getSubjectX500Principal().getName() : "key")
        + " " + a.fingerprint()
        + a.notBefore().map(t -> " from " + t).orElse("") + a.notAfter().map(t -> " until " + t).orElse("")
        + ": " + status;
  }
}
