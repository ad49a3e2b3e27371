package dev.airlock.installer;

import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.KeyFiles;
import dev.airlock.vault.signing.SigningKey;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Generate an EC key pair for signing models and bundles: private.pem (PKCS#8,"
        + " readable only by you) and public.pem.")
final class KeysGenerateCommand implements Callable<Integer> {
  /** The curves offered for new keys: what the reference tool signs with by default and above. */
  enum KeyCurve {
    p256(Curve.P256),
    p384(Curve.P384);

    final Curve curve;

    KeyCurve(Curve curve) {
      this.curve = curve;
    }
  }

  /** Owner read/write only: a private key must not be readable by other users. */

  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Directory to write private.pem and public.pem into (created if missing).")
  Path out;

  @Option(names = "--curve", defaultValue = "p256", paramLabel = "CURVE",
      description = "p256 or p384 (default: ${DEFAULT-VALUE}).")
  KeyCurve curve;

  @Override
  public Integer call() throws IOException {
    Path privatePem = out.resolve(KeyFiles.PRIVATE);
    Path publicPem = out.resolve(KeyFiles.PUBLIC);
    for (Path p : new Path[] {privatePem, publicPem}) {
      if (Files.exists(p)) {
        spec.commandLine().getErr().println("airlock keys generate: " + p + " already exists;"
            + " nothing was written. Choose another --out directory, or move the old keys away.");
        return 1;
      }
    }
    SigningKey key = SigningKey.generate(curve.curve);
    try {
      KeyFiles.write(key, out);
    } catch (FileAlreadyExistsException e) {
      spec.commandLine().getErr().println("airlock keys generate: " + e.getFile()
          + " appeared while generating; nothing was written.");
      return 1;
    }
    var w = spec.commandLine().getOut();
    w.println("Generated an EC " + curve.curve + " key pair:");
    w.println("  private key: " + privatePem + " (PKCS#8, mode 600: keep it secret)");
    w.println("  public key:  " + publicPem);
    w.println("  key hint:    " + key.verifyingKey().hint());
    return 0;
  }
}
