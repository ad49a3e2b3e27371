package dev.airlock.vault;

import static dev.airlock.vault.testing.Bundles.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.vault.bundle.BundleRejectedException;
import dev.airlock.vault.bundle.BundleRejectedException.Problem;
import dev.airlock.vault.catalog.PublisherSignature.Status;
import dev.airlock.vault.signing.ModelSigner;
import dev.airlock.vault.signing.SigningKey;
import dev.airlock.vault.testing.Bundles;
import dev.airlock.vault.trust.TrustRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publisher's own model.sig inside a bundle, checked at import against trusted publishers. */
class PublisherSignatureImportTest {
  @TempDir Path tmp;
  SigningKey transferKey = Bundles.newKey();
  SigningKey publisherKey = Bundles.newKey();
  Vault vault;

  @BeforeEach
  void openVault() throws IOException {
    vault = Vault.openEmbedded(tmp.resolve("data"),
        Vault.Options.defaults().withClock(Clock.fixed(NOW, ZoneOffset.UTC)));
    vault.trust().addKey("org-transfer", TrustRole.TRANSFER, transferKey.verifyingKey().publicKey(),
        Optional.empty(), Optional.empty());
  }

  @AfterEach
  void close() throws IOException {
    vault.close();
  }

  private Path signedModel(String seed) throws Exception {
    Path dir = Bundles.modelDir(tmp, seed);
    new ModelSigner(publisherKey).sign(dir, List.of(), Progress.NONE).write(dir.resolve("model.sig"));
    return dir;
  }

  private Path bundleOf(Path dir, String version) throws IOException {
    return Bundles.create(dir, "signed-model", version, transferKey, tmp.resolve(version + ".tar"));
  }

  private void trustPublisher() throws IOException {
    vault.trust().addKey("example-labs", TrustRole.PUBLISHER, publisherKey.verifyingKey().publicKey(),
        Optional.empty(), Optional.empty());
  }

  @Test
  void recordsAPublisherSignatureThatVerifiesWithATrustedPublisherKey() throws Exception {
    trustPublisher();
    ImportResult r = vault.importBundle(bundleOf(signedModel("a"), "1.0"), "tester", Progress.NONE);

    var ps = r.version().provenance().publisherSignature();
    assertThat(ps.status()).isEqualTo(Status.VERIFIED);
    assertThat(ps.signerName()).contains("example-labs");
    assertThat(ps.detail()).contains("key method").contains("5 files");
  }

  @Test
  void recordsAModelSignedByAnUntrustedPublisherAsSuch() throws Exception {
    vault.trust().addKey("someone-else", TrustRole.PUBLISHER, Bundles.newKey().verifyingKey().publicKey(),
        Optional.empty(), Optional.empty());
    ImportResult r = vault.importBundle(bundleOf(signedModel("a"), "1.0"), "tester", Progress.NONE);

    assertThat(r.version().provenance().publisherSignature().status()).isEqualTo(Status.SIGNER_NOT_TRUSTED);
    assertThat(r.version().provenance().publisherSignature().detail()).contains("not a trusted publisher");
  }

  @Test
  void rejectsAModelChangedAfterThePublisherSignedIt() throws Exception {
    trustPublisher();
    Path dir = signedModel("a");
    // The transfer signature covers the change (made after the publisher signed): only model.sig catches it.
    Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\",\"auto_map\":{}}");
    Path bundle = bundleOf(dir, "1.0");

    assertThatThrownBy(() -> vault.importBundle(bundle, "tester", Progress.NONE))
        .isInstanceOfSatisfying(BundleRejectedException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.PUBLISHER_SIGNATURE_INVALID))
        .hasMessageContaining("names trusted publisher 'example-labs' but does not verify")
        .hasMessageContaining("config.json: digest mismatch");
    assertThat(vault.catalog().list()).isEmpty();
    assertThat(vault.blobs().list()).isEmpty();
    try (Stream<Path> s = Files.list(tmp.resolve("data/vault/staging"))) {
      assertThat(s.toList()).isEmpty();
    }
  }

  /** A model that is one file, signed as such (resource "."), with model.sig beside it. */
  private Path singleFileModel() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("single"));
    Path weights = Files.write(dir.resolve("model.safetensors"), Bundles.safetensors("one", 5_000));
    new ModelSigner(publisherKey).sign(weights, List.of(), Progress.NONE)
        .write(dir.resolve("model.sig"));
    return dir;
  }

  @Test
  void recordsAPublisherSignatureOverASingleFileModel() throws Exception {
    trustPublisher();
    ImportResult r = vault.importBundle(bundleOf(singleFileModel(), "1.0"), "tester", Progress.NONE);

    var ps = r.version().provenance().publisherSignature();
    assertThat(ps.status()).isEqualTo(Status.VERIFIED);
    assertThat(ps.signerName()).contains("example-labs");
    assertThat(ps.detail()).contains("key method").endsWith(", a single file");
  }

  @Test
  void rejectsASingleFileModelChangedAfterThePublisherSignedIt() throws Exception {
    trustPublisher();
    Path dir = singleFileModel();
    byte[] weights = Files.readAllBytes(dir.resolve("model.safetensors"));
    weights[weights.length - 1] ^= 0x01;
    Files.write(dir.resolve("model.safetensors"), weights);

    assertThatThrownBy(() -> vault.importBundle(bundleOf(dir, "1.0"), "tester", Progress.NONE))
        .isInstanceOfSatisfying(BundleRejectedException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.PUBLISHER_SIGNATURE_INVALID))
        .hasMessageContaining("names trusted publisher 'example-labs' but does not verify")
        .hasMessageContaining(". (the model file): digest mismatch");
    assertThat(vault.catalog().list()).isEmpty();
  }

  @Test
  void rejectsAFileAddedBesideASingleFileSignature() throws Exception {
    trustPublisher();
    Path dir = singleFileModel();
    Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\"}");

    assertThatThrownBy(() -> vault.importBundle(bundleOf(dir, "1.0"), "tester", Progress.NONE))
        .isInstanceOfSatisfying(BundleRejectedException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.PUBLISHER_SIGNATURE_INVALID))
        .hasMessageContaining("model kind check failed: the signature covers a single file"
            + " ('model.safetensors') but ")
        .hasMessageContaining("holds 2 files beside model.sig (config.json, model.safetensors)");
    assertThat(vault.catalog().list()).isEmpty();
  }

  @Test
  void rejectsAModelSignedByARevokedPublisher() throws Exception {
    trustPublisher();
    vault.revokeTrust("example-labs", "publisher key compromised");
    assertThatThrownBy(() -> vault.importBundle(bundleOf(signedModel("a"), "1.0"), "tester", Progress.NONE))
        .isInstanceOfSatisfying(BundleRejectedException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.SIGNER_REVOKED))
        .hasMessageContaining("publisher 'example-labs'")
        .hasMessageContaining("publisher key compromised");
    assertThat(vault.catalog().list()).isEmpty();
  }

  @Test
  void revokingAPublisherFlagsTheModelsItSigned() throws Exception {
    trustPublisher();
    ImportResult r = vault.importBundle(bundleOf(signedModel("a"), "1.0"), "tester", Progress.NONE);

    assertThat(vault.revokeTrust("example-labs", "compromised").modelsFlagged()).isEqualTo(1);
    assertThat(vault.catalog().find(r.version().id()).orElseThrow().flag()).isPresent();
  }
}
