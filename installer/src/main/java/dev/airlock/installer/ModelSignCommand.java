package dev.airlock.installer;

import dev.airlock.vault.signing.ModelHasher;
import dev.airlock.vault.signing.ModelManifest;
import dev.airlock.vault.signing.ModelSignature;
import dev.airlock.vault.signing.ModelSigner;
import dev.airlock.vault.signing.SigningKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sign", mixinStandardHelpOptions = true,
    description = {"Sign a model with an EC key (OpenSSF Model Signing, key method).",
        "MODEL is a directory (writes MODEL/model.sig) or a single file such as one .gguf"
            + " (writes model.sig beside it). Exit 0: signed. Exit 2: bad arguments or"
            + " unreadable input."})
final class ModelSignCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL",
      description = "The model: its directory, or its single file.")
  Path model;

  @Option(names = "--private-key", required = true, paramLabel = "PEM",
      description = "EC P-256 or P-384 private key (PKCS#8 PEM), e.g. from 'airlock keys generate'.")
  Path privateKey;

  @Option(names = "--signature", paramLabel = "FILE",
      description = "Where to write the signature (default: MODEL/model.sig for a directory,"
          + " model.sig beside a single file).")
  Path signature;

  @Option(names = "--ignore-paths", arity = "1..*", paramLabel = "P",
      description = "Paths to leave out of the signature, inside a model directory (as DIR/x or x).")
  List<Path> ignorePaths = new ArrayList<>();

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    boolean singleFile;
    Path sigFile;
    try {
      singleFile = ModelHasher.isSingleFile(model);
      sigFile = signature != null ? signature : ModelSignature.defaultLocation(model);
    } catch (IOException e) {
      err.println("airlock model sign: " + e.getMessage());
      return ModelVerifyCommand.EXIT_BAD_INPUT;
    }
    try {
      List<String> ignores = new ArrayList<>(ModelPaths.relativeIgnores(model, ignorePaths));
      Path absModel = model.toAbsolutePath().normalize();
      Path absSig = sigFile.toAbsolutePath().normalize();
      if (singleFile && (absSig.equals(absModel)
          || Files.exists(absSig) && Files.isSameFile(absSig, absModel))) {
        err.println("airlock model sign: the signature " + sigFile + " would overwrite the model"
            + " file itself; give --signature another path.");
        return ModelVerifyCommand.EXIT_BAD_INPUT;
      }
      if (!singleFile && absSig.startsWith(absModel)) {
        // A signature written inside the directory is not part of what it signs.
        ignores.addAll(ModelPaths.relativeIgnores(model, List.of(sigFile)));
      }
      SigningKey key = SigningKey.fromPem(privateKey);
      ModelSigner signer = new ModelSigner(key);
      ModelManifest manifest;
      try (TransferProgress progress = TransferProgress.forCommand(err)) {
        manifest = signer.manifest(model, ignores, progress);
      }
      signer.sign(manifest).write(sigFile);
      var out = spec.commandLine().getOut();
      out.println("Signed " + model + (singleFile ? " (a single file)" : ""));
      out.println("  method:      key (EC " + key.curve() + ")");
      out.println("  signer:      " + key.verifyingKey());
      out.println("  files:       " + manifest.fileCount());
      out.println("  root digest: " + manifest.rootDigest());
      out.println("  signature:   " + sigFile);
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("airlock model sign: " + e.getMessage());
      return ModelVerifyCommand.EXIT_BAD_INPUT;
    } catch (IOException e) {
      err.println("airlock model sign: cannot read or write " + e.getMessage());
      return ModelVerifyCommand.EXIT_BAD_INPUT;
    }
  }
}
