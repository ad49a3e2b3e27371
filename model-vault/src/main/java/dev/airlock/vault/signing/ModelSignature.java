package dev.airlock.vault.signing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A model's signature file ({@code model.sig}): a sigstore bundle over the model's statement. */
public record ModelSignature(SigstoreBundle bundle) {
  /** Where the reference tool and {@code airlock model sign} put the signature. */
  public static final String DEFAULT_FILE_NAME = "model.sig";

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
