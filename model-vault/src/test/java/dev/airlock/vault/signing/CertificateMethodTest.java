package dev.airlock.vault.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.vault.Progress;
import dev.airlock.vault.signing.TestCertificates.Issued;
import dev.airlock.vault.signing.VerificationException.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate method: chain to a trusted root, validity at the verifier's clock, key usage. */
class CertificateMethodTest {
  private static final Clock MID_2026 = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path tmp;
  private Path dir;
  private ModelManifest manifest;
  private Issued root;

  @BeforeEach
  void model() throws Exception {
    dir = tmp.resolve("m");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("weights.bin"), "weights");
    manifest = new ModelHasher().hash(dir, Serialization.Files.of(List.of("model.sig")), List.of(),
        Progress.NONE);
    root = TestCertificates.root("Airlock Test Root");
  }

  private VerifiedModel verify(SigstoreBundle bundle, List<Issued> roots, Clock clock)
      throws Exception {
    Files.write(dir.resolve("model.sig"), bundle.toJson());
    return ModelVerifier.withTrustedRoots(roots.stream().map(Issued::certificate).toList(), clock)
        .verify(dir, dir.resolve("model.sig"), List.of(), Progress.NONE);
  }

  private Issued leaf(int keyUsage, KeyPurposeId eku) throws Exception {
    return TestCertificates.leaf(root, "Model Publisher", keyUsage, eku,
        TestCertificates.NOT_BEFORE, TestCertificates.NOT_AFTER);
  }

  @Test
  void leafWithDigitalSignatureUnderTrustedRootVerifies() throws Exception {
    Issued leaf = leaf(KeyUsage.digitalSignature, null);
    VerifiedModel v = verify(TestCertificates.signWithCertificate(manifest, leaf), List.of(root), MID_2026);
    assertThat(v.method()).isEqualTo(SigningMethod.CERTIFICATE);
    assertThat(v.signer()).isEqualTo("CN=Model Publisher");
  }

  @Test
  void leafWithOnlyCodeSigningExtendedKeyUsageVerifies() throws Exception {
    Issued leaf = leaf(KeyUsage.keyEncipherment, KeyPurposeId.id_kp_codeSigning);
    assertThat(verify(TestCertificates.signWithCertificate(manifest, leaf), List.of(root), MID_2026)
        .signer()).isEqualTo("CN=Model Publisher");
  }

  @Test
  void leafThatMayNotSignIsRefused() throws Exception {
    Issued leaf = leaf(KeyUsage.keyEncipherment, KeyPurposeId.id_kp_serverAuth);
    assertThatThrownBy(() -> verify(TestCertificates.signWithCertificate(manifest, leaf), List.of(root), MID_2026))
        .isInstanceOfSatisfying(VerificationException.class,
            e -> assertThat(e.check()).isEqualTo(Check.CERTIFICATE_KEY_USAGE))
        .hasMessage("certificate key usage check failed: the signing certificate CN=Model Publisher"
            + " has neither the digitalSignature key usage nor the codeSigning extended key usage,"
            + " so it may not sign models");
  }

  @Test
  void chainToAnUntrustedRootIsRefused() throws Exception {
    Issued leaf = leaf(KeyUsage.digitalSignature, null);
    Issued otherRoot = TestCertificates.root("Someone Else");
    assertThatThrownBy(() -> verify(TestCertificates.signWithCertificate(manifest, leaf), List.of(otherRoot), MID_2026))
        .isInstanceOfSatisfying(VerificationException.class,
            e -> assertThat(e.check()).isEqualTo(Check.CERTIFICATE_CHAIN))
        .hasMessageStartingWith("certificate chain check failed: the signing certificate"
            + " CN=Model Publisher (issued by CN=Airlock Test Root) does not chain to a trusted root"
            + " (CN=Someone Else)");
  }

  @Test
  void rootWithTheSameNameButAnotherKeyIsNotTrusted() throws Exception {
    Issued leaf = leaf(KeyUsage.digitalSignature, null);
    Issued impostor = TestCertificates.root("Airlock Test Root");
    assertThatThrownBy(() -> verify(TestCertificates.signWithCertificate(manifest, leaf), List.of(impostor), MID_2026))
        .isInstanceOfSatisfying(VerificationException.class,
            e -> assertThat(e.check()).isEqualTo(Check.CERTIFICATE_CHAIN));
  }

  @Test
  void validityIsCheckedAtTheVerifiersClock() throws Exception {
    Issued leaf = leaf(KeyUsage.digitalSignature, null);
    SigstoreBundle bundle = TestCertificates.signWithCertificate(manifest, leaf);
    Clock after = Clock.fixed(Instant.parse("2027-03-01T00:00:00Z"), ZoneOffset.UTC);
    Clock before = Clock.fixed(Instant.parse("2025-12-01T00:00:00Z"), ZoneOffset.UTC);
    for (Clock clock : List.of(after, before)) {
      assertThatThrownBy(() -> verify(bundle, List.of(root), clock))
          .isInstanceOfSatisfying(VerificationException.class,
              e -> assertThat(e.check()).isEqualTo(Check.CERTIFICATE_VALIDITY))
          .hasMessageContaining("CN=Model Publisher is valid from 2026-01-01T00:00:00Z to"
              + " 2027-01-01T00:00:00Z, not at " + clock.instant());
    }
  }

  @Test
  void referenceCertificatesExpireIn2035() throws Exception {
    Path model = Corpus.model(Corpus.V110_CERT);
    var roots = ModelVerifier.readCertificates(Corpus.rootCaPem());
    Clock in2036 = Clock.fixed(Instant.parse("2036-01-01T00:00:00Z"), ZoneOffset.UTC);
    assertThatThrownBy(() -> ModelVerifier.withTrustedRoots(roots, in2036)
        .verify(model, model.resolve("model.sig"), List.of(), Progress.NONE))
        .isInstanceOfSatisfying(VerificationException.class,
            e -> assertThat(e.check()).isEqualTo(Check.CERTIFICATE_VALIDITY));
  }

  @Test
  void referenceChainIsNotTrustedUnderAnotherRoot() throws Exception {
    Path model = Corpus.model(Corpus.V110_CERT);
    assertThatThrownBy(() -> ModelVerifier.withTrustedRoots(List.of(root.certificate()), MID_2026)
        .verify(model, model.resolve("model.sig"), List.of(), Progress.NONE))
        .isInstanceOfSatisfying(VerificationException.class,
            e -> assertThat(e.check()).isEqualTo(Check.CERTIFICATE_CHAIN))
        .hasMessageContaining("(issued by CN=intermediate-ca)");
  }

  @Test
  void keySignatureCannotBeVerifiedAsCertificateSignature() throws Exception {
    Path model = Corpus.model(Corpus.V110_KEY);
    assertThatThrownBy(() -> ModelVerifier.withTrustedRoots(List.of(root.certificate()), MID_2026)
        .verify(model, model.resolve("model.sig"), List.of(), Progress.NONE))
        .isInstanceOfSatisfying(VerificationException.class,
            e -> assertThat(e.check()).isEqualTo(Check.CERTIFICATE_CHAIN))
        .hasMessageContaining("verify it with --public-key instead");
  }
}
