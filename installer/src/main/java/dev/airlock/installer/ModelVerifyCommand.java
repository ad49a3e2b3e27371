package dev.airlock.installer;

import dev.airlock.vault.signing.ModelSignature;
import dev.airlock.vault.signing.ModelVerifier;
import dev.airlock.vault.signing.VerificationException;
import dev.airlock.vault.signing.VerifiedModel;
import dev.airlock.vault.signing.VerifyingKey;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Verify a model, a directory or a single file, against its OpenSSF Model"
        + " Signing signature.",
        "Exit 0: verified. Exit 1: the model or signature does not verify (the reason is printed)."
            + " Exit 2: bad arguments or unreadable input."})
final class ModelVerifyCommand implements Callable<Integer> {
  /** The model or its signature failed a check. */
  static final int EXIT_NOT_VERIFIED = 1;
  /** The command could not run: arguments, unreadable keys or files. */
  static final int EXIT_BAD_INPUT = 2;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL",
      description = "The model: its directory, or its single file.")
  Path model;

  @Option(names = "--signature", paramLabel = "FILE",
      description = "The signature (default: MODEL/model.sig for a directory, model.sig beside"
          + " a single file).")
  Path signature;

  static final class Trust {
    @Option(names = "--public-key", paramLabel = "PEM",
        description = "Key method: the signer's EC public key (PEM).")
    Path publicKey;

    @Option(names = "--certificate-chain", paramLabel = "PEM",
        description = "Certificate method: trusted root certificate(s) (PEM).")
    Path certificateChain;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Trust trust;

  @Option(names = "--ignore-paths", arity = "1..*", paramLabel = "P",
      description = "Paths inside a model directory that are not signed and should not be checked.")
  List<Path> ignorePaths = new ArrayList<>();

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    Path sigFile;
    try {
      sigFile = signature != null ? signature : ModelSignature.defaultLocation(model);
    } catch (IOException e) {
      err.println("airlock model verify: " + e.getMessage());
      return EXIT_BAD_INPUT;
    }
    ModelVerifier verifier;
    List<String> ignores;
    try {
      verifier = trust.publicKey != null
          ? ModelVerifier.withKey(VerifyingKey.fromPem(trust.publicKey))
          : ModelVerifier.withTrustedRoots(ModelVerifier.readCertificates(trust.certificateChain),
              Clock.systemUTC());
      ignores = ModelPaths.relativeIgnores(model, ignorePaths);
    } catch (NoSuchFileException e) {
      err.println("airlock model verify: file not found: " + e.getFile());
      return EXIT_BAD_INPUT;
    } catch (IOException | IllegalArgumentException e) {
      err.println("airlock model verify: " + e.getMessage());
      return EXIT_BAD_INPUT;
    }
    try {
      VerifiedModel verified;
      try (TransferProgress progress = TransferProgress.forCommand(err)) {
        verified = verifier.verify(model, sigFile, ignores, progress);
      }
      var out = spec.commandLine().getOut();
      out.println("Verified " + model + (verified.manifest().isSingleFile() ? " (a single file)" : "")
          + " against " + sigFile);
      out.println("  method:      " + verified.method().label());
      out.println("  signer:      " + verified.signer());
      out.println("  files:       " + verified.fileCount());
      out.println("  root digest: " + verified.manifest().rootDigest());
      return 0;
    } catch (VerificationException e) {
      err.println("airlock model verify: NOT VERIFIED (" + describe(e.check()) + "): "
          + e.getMessage());
      return EXIT_NOT_VERIFIED;
    } catch (IOException | IllegalArgumentException e) {
      err.println("airlock model verify: " + e.getMessage());
      return EXIT_BAD_INPUT;
    }
  }

  private static String describe(VerificationException.Check check) {
    return check.name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

}
