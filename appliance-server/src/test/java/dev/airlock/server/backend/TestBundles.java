package dev.airlock.server.backend;

import dev.airlock.vault.ImportResult;
import dev.airlock.vault.Progress;
import dev.airlock.vault.Vault;
import dev.airlock.vault.bundle.BundleWriter;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import dev.airlock.vault.metadata.TinyLlamaModel;
import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.SigningKey;
import dev.airlock.vault.trust.TrustRole;
import dev.airlock.vault.trust.TrustStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Optional;

/**
 * Real bundles for tests: a model directory signed with a transfer key the vault trusts, packed
 * with the vault's own {@link BundleWriter} and imported through {@link Vault#importBundle}.
 */
public final class TestBundles {
  private final Path workDir;
  private final SigningKey transferKey;

  private TestBundles(Path workDir, SigningKey transferKey) {
    this.workDir = workDir;
    this.transferKey = transferKey;
  }

  /** Trusts a fresh transfer key in the data directory's trust store; bundles are written under {@code workDir}. */
  public static TestBundles trustedIn(Path dataDir, Path workDir) throws IOException, GeneralSecurityException {
    SigningKey key = SigningKey.generate(Curve.P256);
    TrustStore.open(dataDir, Clock.systemUTC()).addKey("org-transfer", TrustRole.TRANSFER,
        key.verifyingKey().publicKey(), Optional.empty(), Optional.empty());
    return new TestBundles(Files.createDirectories(workDir), key);
  }

  /** A model directory holding the tiny llama GGUF (a real model llama.cpp loads) and a config file. */
  public Path tinyLlamaDirectory(String name) throws IOException {
    Path dir = Files.createDirectories(workDir.resolve("model-" + name));
    TinyLlamaModel.DEFAULT.writeTo(dir.resolve("tiny-llama.gguf"));
    Files.writeString(dir.resolve("README.md"), "# " + name + "\nA tiny test model; its answers are random text.\n");
    return dir;
  }

  /**
   * A DPO's approval as the catalog records it (IMPORTED -> UNDER_REVIEW -> APPROVED), without the
   * review workflow: for tests of what happens once a version is approved.
   */
  public static ModelVersion approve(Vault vault, ModelVersion version) throws java.sql.SQLException {
    vault.catalog().transition(version.id(), LifecycleState.UNDER_REVIEW, "dpo-1", Optional.empty());
    vault.catalog().transition(version.id(), LifecycleState.APPROVED, "dpo-2", Optional.of("licence reviewed"));
    return vault.catalog().find(version.id()).orElseThrow();
  }

  /** Bundles a model directory and imports it: the version is IMPORTED in the catalog. */
  public ModelVersion importDirectory(Vault vault, Path modelDir, String name, String version) throws IOException {
    Path tar = workDir.resolve(name + "-" + version + ".tar");
    try (OutputStream o = Files.newOutputStream(tar)) {
      BundleWriter.write(modelDir, Optional.empty(), new BundleWriter.Description(name, version, "Example Labs", "FR",
          Optional.empty()), transferKey, Clock.systemUTC(), o, Progress.NONE);
    }
    ImportResult result = vault.importBundle(tar, "test-importer", Progress.NONE);
    if (result.outcome() != ImportResult.Outcome.IMPORTED) throw new IllegalStateException("not imported: " + result);
    return result.version();
  }
}
