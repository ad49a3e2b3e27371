package dev.airlock.installer;

import dev.airlock.vault.signing.ModelSignature;
import dev.airlock.vault.signing.ModelSigner;
import dev.airlock.vault.signing.SigningKey;
import dev.airlock.vault.signing.ModelManifest;
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
    description = "Sign a model directory with an EC key (OpenSSF Model Signing, key method):"
        + " writes DIR/model.sig.")
final class ModelSignCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The model directory.")
  Path modelDir;

  @Option(names = "--private-key", required = true, paramLabel = "PEM",
      description = "EC P-256 or P-384 private key (PKCS#8 PEM), e.g. from 'airlock keys generate'.")
  Path privateKey;

  @Option(names = "--ignore-paths", arity = "1..*", paramLabel = "P",
      description = "Paths to leave out of the signature, inside DIR (as DIR/x or x).")
  List<Path> ignorePaths = new ArrayList<>();

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    if (!Files.isDirectory(modelDir)) {
      err.println("airlock model sign: " + modelDir + " is not a directory; give the model directory.");
      return 2;
    }
    Path signature = modelDir.resolve(ModelSignature.DEFAULT_FILE_NAME);
    try {
      SigningKey key = SigningKey.fromPem(privateKey);
      List<String> ignores = ModelPaths.relativeIgnores(modelDir, ignorePaths);
      ModelSigner signer = new ModelSigner(key);
      ModelManifest manifest;
      try (TransferProgress progress = TransferProgress.forCommand(err)) {
        manifest = signer.manifest(modelDir, ignores, progress);
      }
      signer.sign(manifest).write(signature);
      var out = spec.commandLine().getOut();
      out.println("Signed " + modelDir);
      out.println("  method:      key (EC " + key.curve() + ")");
      out.println("  signer:      " + key.verifyingKey());
      out.println("  files:       " + manifest.resources().size());
      out.println("  root digest: " + manifest.rootDigest());
      out.println("  signature:   " + signature);
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("airlock model sign: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("airlock model sign: cannot read or write " + e.getMessage());
      return 2;
    }
  }
}
