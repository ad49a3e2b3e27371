package dev.airlock.installer;

import dev.airlock.vault.bundle.BundleManifest;
import dev.airlock.vault.bundle.BundleRejectedException;
import dev.airlock.vault.bundle.BundleWriter;
import dev.airlock.vault.signing.SigningKey;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "create", mixinStandardHelpOptions = true,
    description = "Pack a model directory (and its SBOM) into a bundle signed with the"
        + " organization's transfer key.")
final class BundleCreateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model-dir", required = true, paramLabel = "DIR", description = "The model directory.")
  Path modelDir;

  @Option(names = "--name", required = true, paramLabel = "NAME", description = "The model's name, e.g. llama-3.1-8b-instruct.")
  String name;

  @Option(names = "--model-version", required = true, paramLabel = "VERSION", description = "The model's version.")
  String version;

  @Option(names = "--publisher", required = true, paramLabel = "PUBLISHER", description = "Who published the model.")
  String publisher;

  @Option(names = "--origin-country", required = true, paramLabel = "CC",
      description = "The publisher's country, ISO 3166-1 alpha-2 (e.g. FR, US, CN).")
  String originCountry;

  @Option(names = "--source", paramLabel = "URL", description = "Where the model was obtained.")
  String source;

  @Option(names = "--sbom", paramLabel = "FILE", description = "The model's SBOM (SPDX JSON).")
  Path sbom;

  @Option(names = "--private-key", required = true, paramLabel = "PEM",
      description = "The organization's transfer private key (EC, PEM).")
  Path privateKey;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.tar", description = "The bundle to write.")
  Path output;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    BundleWriter.Description description;
    SigningKey key;
    try {
      description = new BundleWriter.Description(name, version, publisher, originCountry.strip(),
          Optional.ofNullable(source));
    } catch (IllegalArgumentException e) {
      err.println("airlock bundle create: " + e.getMessage());
      return VaultExits.USAGE;
    }
    try {
      key = SigningKey.fromPem(privateKey);
    } catch (IOException e) {
      err.println("airlock bundle create: cannot read the private key: " + BundleOutput.describe(e));
      return VaultExits.CANNOT_RUN;
    } catch (IllegalArgumentException e) {
      err.println("airlock bundle create: cannot read the private key: " + e.getMessage());
      return VaultExits.CANNOT_RUN;
    }
    Path partial = output.resolveSibling(output.getFileName() + ".part");
    try {
      BundleManifest manifest;
      try (OutputStream out = Files.newOutputStream(partial)) {
        manifest = BundleWriter.write(modelDir, Optional.ofNullable(sbom), description, key,
            Clock.systemUTC(), out, TransferProgress.forCommand(err));
      }
      try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      var out = spec.commandLine().getOut();
      out.println("Created " + output);
      out.println("  model:     " + manifest.modelName() + " " + manifest.modelVersion());
      out.println("  publisher: " + manifest.publisher() + " (" + manifest.originCountry() + ")");
      out.println("  files:     " + manifest.files().size() + ", " + manifest.totalBytes() + " bytes");
      out.println("  bundle id: " + manifest.bundleId());
      out.println("  signed by: " + key.verifyingKey());
      return 0;
    } catch (IOException | BundleRejectedException | IllegalArgumentException e) {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException ignored) {
        // nothing more to do: the message below says what failed
      }
      err.println("airlock bundle create: " + (e instanceof IOException io ? BundleOutput.describe(io) : e.getMessage()));
      return VaultExits.CANNOT_RUN;
    }
  }
}
