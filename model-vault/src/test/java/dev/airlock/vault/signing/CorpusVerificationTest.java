package dev.airlock.vault.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.vault.Progress;
import dev.airlock.vault.signing.VerificationException.Check;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The reference tool's own signatures verify here exactly as its verifier verifies them. */
class CorpusVerificationTest {
  private static final List<String> ALL = Corpus.ALL;

  @ParameterizedTest
  @FieldSource("ALL")
  void referenceSignatureVerifiesWhenIgnoreMeIsIgnored(String name) throws Exception {
    Path dir = Corpus.model(name);
    VerifiedModel verified = Corpus.verifierFor(name)
        .verify(dir, dir.resolve("model.sig"), List.of(Corpus.IGNORE_ME), Progress.NONE);

    assertThat(verified.method())
        .isEqualTo(Corpus.isCertificate(name) ? SigningMethod.CERTIFICATE : SigningMethod.KEY);
    assertThat(verified.fileCount()).isEqualTo(2);
    assertThat(verified.manifest().resources()).extracting(Resource::name)
        .containsExactly("signme-1", "signme-2");
    assertThat(verified.manifest().modelName()).isEqualTo(name);
  }

  @Test
  void rootDigestIsTheSubjectDigestOfTheReferenceStatement() throws Exception {
    Path dir = Corpus.model(Corpus.V110_KEY);
    VerifiedModel verified = Corpus.verifierFor(Corpus.V110_KEY)
        .verify(dir, dir.resolve("model.sig"), List.of(), Progress.NONE);
    assertThat(verified.manifest().rootDigest().hex())
        .isEqualTo("92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4");
  }

  @Test
  void olderKeyBundleCarriesRawBytesAndNoHintAndStillVerifies() throws Exception {
    Path dir = Corpus.model(Corpus.V101_KEY);
    String json = java.nio.file.Files.readString(dir.resolve("model.sig"));
    assertThat(json).contains("\"rawBytes\"").contains("PKIX_ECDSA_P384_SHA_384").doesNotContain("hint");
    assertThat(ModelSignature.read(dir.resolve("model.sig")).bundle().material())
        .isEqualTo(new SigstoreBundle.PublicKeyHint(java.util.Optional.empty()));
    assertThat(Corpus.verifierFor(Corpus.V101_KEY)
        .verify(dir, dir.resolve("model.sig"), List.of(Corpus.IGNORE_ME), Progress.NONE)
        .method()).isEqualTo(SigningMethod.KEY);
  }

  @Test
  void certificateSignerIsTheLeafSubject() throws Exception {
    Path dir = Corpus.model(Corpus.V110_CERT);
    VerifiedModel verified = Corpus.verifierFor(Corpus.V110_CERT)
        .verify(dir, dir.resolve("model.sig"), List.of(), Progress.NONE);
    assertThat(verified.signer()).isEqualTo("CN=intermediate-ca");
  }

  @Test
  void v110SignaturesRecordIgnoreMeThemselves() throws Exception {
    for (String name : List.of(Corpus.V110_KEY, Corpus.V110_CERT)) {
      Path dir = Corpus.model(name);
      VerifiedModel verified = Corpus.verifierFor(name)
          .verify(dir, dir.resolve("model.sig"), List.of(), Progress.NONE);
      assertThat(verified.manifest().serialization().ignorePaths()).contains("ignore-me", "model.sig");
    }
  }

  @Test
  void v101WithoutIgnoringIgnoreMeFailsNamingTheUnsignedFile() throws Exception {
    for (String name : List.of(Corpus.V101_KEY, Corpus.V101_CERT)) {
      Path dir = Corpus.model(name);
      assertThatThrownBy(() -> Corpus.verifierFor(name)
          .verify(dir, dir.resolve("model.sig"), List.of(), Progress.NONE))
          .isInstanceOfSatisfying(VerificationException.class, e -> {
            assertThat(e.check()).isEqualTo(Check.UNSIGNED_FILE);
            assertThat(e.problems()).singleElement()
                .satisfies(p -> assertThat(p.name()).isEqualTo("ignore-me"));
          })
          .hasMessageContaining("ignore-me: present but not signed");
    }
  }
}
