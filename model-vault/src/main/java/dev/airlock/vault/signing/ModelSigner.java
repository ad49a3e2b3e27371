package dev.airlock.vault.signing;

import dev.airlock.vault.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Signs model directories (and any other in-toto statement) with an EC key, producing exactly
 * what the reference tool's {@code key} method writes: a v0.3 sigstore bundle with the key's hint,
 * a DSSE envelope over the in-toto statement, and a DER ECDSA signature over the PAE.
 */
public final class ModelSigner {
  private final SigningKey key;
  private final ModelHasher hasher;

  public ModelSigner(SigningKey key) {
    this(key, new ModelHasher());
  }

  public ModelSigner(SigningKey key, ModelHasher hasher) {
    this.key = key;
    this.hasher = hasher;
  }

  /**
   * Hashes every file of {@code modelDir} (except the default ignores, {@code model.sig} and
   * {@code ignorePaths}, relative to the directory) and signs the resulting statement.
   *
   * @throws IllegalArgumentException when the directory holds links or special files, or nothing
   */
  public ModelSignature sign(Path modelDir, Collection<String> ignorePaths, Progress progress)
      throws IOException {
    return sign(manifest(modelDir, ignorePaths, progress));
  }

  /** The manifest {@link #sign(Path, Collection, Progress)} signs, without signing it. */
  public ModelManifest manifest(Path modelDir, Collection<String> ignorePaths,
      Progress progress) throws IOException {
    LinkedHashSet<String> ignored = new LinkedHashSet<>(ModelHasher.DEFAULT_IGNORED);
    ignored.add(ModelSignature.DEFAULT_FILE_NAME);
    ignorePaths.forEach(p -> ignored.add(ModelHasher.normalize(p)));
    return manifest(modelDir, Serialization.Files.of(new ArrayList<>(ignored)), progress);
  }

  /** Signs with an explicit serialization (e.g. {@link Serialization.Shards}). */
  public ModelSignature sign(Path modelDir, Serialization serialization, Progress progress)
      throws IOException {
    return sign(manifest(modelDir, serialization, progress));
  }

  private ModelManifest manifest(Path modelDir, Serialization serialization,
      Progress progress) throws IOException {
    ModelManifest manifest;
    try {
      manifest = hasher.hash(modelDir, serialization, List.of(), progress);
    } catch (VerificationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (manifest.resources().isEmpty()) {
      throw new IllegalArgumentException("nothing to sign: " + modelDir
          + " holds no regular files once ignored paths are left out");
    }
    return manifest;
  }

  public ModelSignature sign(ModelManifest manifest) {
    return new ModelSignature(signStatement(manifest.toStatement()));
  }

  /** Signs any in-toto statement into a bundle of the same shape as a model signature. */
  public SigstoreBundle signStatement(InTotoStatement statement) {
    DsseEnvelope envelope = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, statement.toJson(), key);
    return SigstoreBundle.of(
        new SigstoreBundle.PublicKeyHint(java.util.Optional.of(key.verifyingKey().hint())),
        envelope);
  }
}
