package dev.airlock.vault.signing;

import dev.airlock.vault.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Signs models, directories or single files (and any other in-toto statement) with an EC key,
 * producing exactly what the reference tool's {@code key} method writes: a v0.3 sigstore bundle
 * with the key's hint, a DSSE envelope over the in-toto statement, and a DER ECDSA signature over
 * the PAE.
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
   * Hashes {@code model} and signs the resulting statement. A directory: every file except the
   * default ignores, {@code model.sig} and {@code ignorePaths} (relative to the directory). A
   * single file (e.g. one {@code .gguf}): the file whole, as resource {@code "."}, the way the
   * reference tool signs it; {@code ignorePaths} must then be empty.
   *
   * @throws IllegalArgumentException when the directory holds links or special files, or nothing;
   *     or when {@code model} is a file and {@code ignorePaths} is not empty
   * @throws IOException when {@code model} is missing, a link, or neither a file nor a directory
   */
  public ModelSignature sign(Path model, Collection<String> ignorePaths, Progress progress)
      throws IOException {
    return sign(manifest(model, ignorePaths, progress));
  }

  /** The manifest {@link #sign(Path, Collection, Progress)} signs, without signing it. */
  public ModelManifest manifest(Path model, Collection<String> ignorePaths,
      Progress progress) throws IOException {
    LinkedHashSet<String> ignored = new LinkedHashSet<>(ModelHasher.DEFAULT_IGNORED);
    if (ModelHasher.isSingleFile(model)) {
      // The reference tool records its default ignores (made relative to the file) even for a
      // single file; model.sig is not among them, since the signature is not inside the file.
      ModelHasher.requireNoIgnorePaths(model, ignorePaths);
    } else {
      ignored.add(ModelSignature.DEFAULT_FILE_NAME);
      ignorePaths.forEach(p -> ignored.add(ModelHasher.normalize(p)));
    }
    return manifest(model, Serialization.Files.of(new ArrayList<>(ignored)), progress);
  }

  /** Signs with an explicit serialization (e.g. {@link Serialization.Shards}). */
  public ModelSignature sign(Path model, Serialization serialization, Progress progress)
      throws IOException {
    return sign(manifest(model, serialization, progress));
  }

  private ModelManifest manifest(Path model, Serialization serialization,
      Progress progress) throws IOException {
    ModelManifest manifest;
    try {
      manifest = hasher.hash(model, serialization, List.of(), progress);
    } catch (VerificationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (manifest.resources().isEmpty()) {
      throw new IllegalArgumentException("nothing to sign: " + model + (ModelHasher.isSingleFile(model)
          ? " is empty, and the shards serialization has no shard for an empty file; sign it with"
              + " the files serialization"
          : " holds no regular files once ignored paths are left out"));
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
