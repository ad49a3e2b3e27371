package dev.airlock.vault.signing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A model's signature file ({@code model.sig}): a sigstore bundle over the model's statement. */
public record ModelSignature(SigstoreBundle bundle) {
  /** Where the reference tool and {@code airlock model sign} put the signature. */
  public static final String DEFAULT_FILE_NAME = "model.sig";

  /**
   * Where a model's signature goes when none is named: {@code DIR/model.sig} for a directory;
   * for a single file, {@code model.sig} beside it, the layout a bundle carries.
   */
  public static Path defaultLocation(Path model) throws IOException {
    return ModelHasher.isSingleFile(model) ? model.resolveSibling(DEFAULT_FILE_NAME)
        : model.resolve(DEFAULT_FILE_NAME);
  }

  public static ModelSignature read(Path file) throws IOException, VerificationException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("signature file not found: " + file
          + " (sign the model with 'airlock model sign', or point --signature at its model.sig)");
    }
    return parse(Files.readAllBytes(file));
  }

  public static ModelSignature parse(byte[] json) throws VerificationException {
    return new ModelSignature(SigstoreBundle.parse(json));
  }

  public byte[] toJson() {
    return bundle.toJson();
  }

  public void write(Path file) throws IOException {
    Files.write(file, toJson());
  }
}
