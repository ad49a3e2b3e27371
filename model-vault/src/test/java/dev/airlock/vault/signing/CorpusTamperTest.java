package dev.airlock.vault.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.vault.Progress;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.signing.VerificationException.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** A changed byte anywhere in a reference-signed model makes verification fail, saying where. */
class CorpusTamperTest {
  private static final List<String> ALL = Corpus.ALL;

  @TempDir Path tmp;

  private VerificationException verifyCopy(String name, Path dir) throws Exception {
    try {
      Corpus.verifierFor(name).verify(dir, dir.resolve("model.sig"), List.of(Corpus.IGNORE_ME),
          Progress.NONE);
    } catch (VerificationException e) {
      return e;
    }
    throw new AssertionError("a tampered copy of " + name + " verified");
  }

  @ParameterizedTest
  @FieldSource("ALL")
  void flippedByteInAnySignedFileIsADigestMismatchNamingFileAndDigests(String name) throws Exception {
    for (String file : Corpus.SIGNED_FILES) {
      Path dir = Corpus.copy(name, tmp.resolve(file));
      String expected = Sha256.of(Files.readAllBytes(dir.resolve(file))).hex();
      Tamper.flipByte(dir.resolve(file), 0);
      String found = Sha256.of(Files.readAllBytes(dir.resolve(file))).hex();

      VerificationException e = verifyCopy(name, dir);

      assertThat(e.check()).isEqualTo(Check.DIGEST_MISMATCH);
      assertThat(e.getMessage()).contains(file + ": digest mismatch, expected sha256:" + expected
          + ", found sha256:" + found);
      assertThat(e.problems()).singleElement().satisfies(p -> {
        assertThat(p.name()).isEqualTo(file);
        assertThat(p.expected()).isEqualTo(expected);
        assertThat(p.found()).isEqualTo(found);
      });
    }
  }

  @ParameterizedTest
  @FieldSource("ALL")
  void flippedByteAnywhereInTheStatementBreaksTheSignature(String name) throws Exception {
    byte[] payload = ModelSignature.read(Corpus.model(name).resolve("model.sig")).bundle()
        .envelope().payload();
    for (int index : new int[] {0, payload.length / 3, payload.length / 2, payload.length - 1}) {
      Path dir = Corpus.copy(name, tmp.resolve("s" + index));
      Tamper.flipStatementByte(dir.resolve("model.sig"), index);
      assertThat(verifyCopy(name, dir).check()).as("byte %d", index).isEqualTo(Check.SIGNATURE);
    }
  }

  @ParameterizedTest
  @FieldSource("ALL")
  void statementClaimingOtherDigestsIsRefusedBeforeAnyFileIsTrusted(String name) throws Exception {
    Path dir = Corpus.copy(name, tmp);
    // Make the statement agree with a modified file: the signature no longer matches.
    Tamper.editStatement(dir.resolve("model.sig"),
        "32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028",
        "32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370029");
    VerificationException e = verifyCopy(name, dir);
    assertThat(e.check()).isEqualTo(Check.SIGNATURE);
    assertThat(e.getMessage()).startsWith("signature check failed");
  }

  @ParameterizedTest
  @FieldSource("ALL")
  void flippedByteInTheSignatureFails(String name) throws Exception {
    for (int index : new int[] {5, 20, 40}) {
      Path dir = Corpus.copy(name, tmp.resolve("g" + index));
      Tamper.flipSignatureByte(dir.resolve("model.sig"), index);
      assertThat(verifyCopy(name, dir).check()).as("byte %d", index).isEqualTo(Check.SIGNATURE);
    }
  }

  @ParameterizedTest
  @FieldSource("ALL")
  void missingSignedFileIsNamed(String name) throws Exception {
    Path dir = Corpus.copy(name, tmp);
    Files.delete(dir.resolve("signme-2"));
    VerificationException e = verifyCopy(name, dir);
    assertThat(e.check()).isEqualTo(Check.MISSING_FILE);
    assertThat(e.getMessage()).contains("signme-2: signed but missing, expected sha256:"
        + "32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028");
  }

  @ParameterizedTest
  @FieldSource("ALL")
  void addedFileIsUnsignedUnlessIgnored(String name) throws Exception {
    Path dir = Corpus.copy(name, tmp);
    Files.createDirectories(dir.resolve("extra"));
    Files.writeString(dir.resolve("extra/payload.py"), "import os\n");
    VerificationException e = verifyCopy(name, dir);
    assertThat(e.check()).isEqualTo(Check.UNSIGNED_FILE);
    assertThat(e.getMessage()).contains("extra/payload.py: present but not signed");

    VerifiedModel ok = Corpus.verifierFor(name).verify(dir, dir.resolve("model.sig"),
        List.of(Corpus.IGNORE_ME, "extra"), Progress.NONE);
    assertThat(ok.fileCount()).isEqualTo(2);
  }

  @Test
  void gitMetadataIsIgnoredAsTheReferenceToolDoes() throws Exception {
    Path dir = Corpus.copy(Corpus.V101_KEY, tmp);
    Files.createDirectories(dir.resolve(".git/objects"));
    Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/main\n");
    Files.writeString(dir.resolve(".gitattributes"), "*.bin filter=lfs\n");
    VerifiedModel ok = Corpus.verifierFor(Corpus.V101_KEY).verify(dir, dir.resolve("model.sig"),
        List.of(Corpus.IGNORE_ME), Progress.NONE);
    assertThat(ok.fileCount()).isEqualTo(2);
  }

  @Test
  void keyHintNamingAnotherKeyIsAKeyMismatch() throws Exception {
    Path dir = Corpus.model(Corpus.V110_KEY);
    VerifyingKey other = SigningKey.generate(Curve.P384).verifyingKey();
    assertThatThrownBy(() -> ModelVerifier.withKey(other)
        .verify(dir, dir.resolve("model.sig"), List.of(), Progress.NONE))
        .isInstanceOfSatisfying(VerificationException.class,
            e -> assertThat(e.check()).isEqualTo(Check.KEY_MISMATCH))
        .hasMessageContaining("e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e")
        .hasMessageContaining(other.hint());
  }

  @Test
  void olderBundleWithoutHintAndAnotherKeyFailsTheSignatureCheck() throws Exception {
    Path dir = Corpus.model(Corpus.V101_KEY);
    VerifyingKey other = SigningKey.generate(Curve.P384).verifyingKey();
    assertThatThrownBy(() -> ModelVerifier.withKey(other)
        .verify(dir, dir.resolve("model.sig"), List.of(Corpus.IGNORE_ME), Progress.NONE))
        .isInstanceOfSatisfying(VerificationException.class,
            e -> assertThat(e.check()).isEqualTo(Check.SIGNATURE));
  }

  @Test
  void corpusPublicKeyHasTheHintTheReferenceToolRecorded() throws Exception {
    assertThat(VerifyingKey.fromPem(Corpus.publicKeyPem()).hint())
        .isEqualTo("e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e");
  }

  @Test
  void keyIdAbsentNullOrEmptyAllVerify() throws Exception {
    for (String variant : List.of("absent", "null", "empty")) {
      Path dir = Corpus.copy(Corpus.V110_KEY, tmp.resolve(variant));
      Tamper.editBundle(dir.resolve("model.sig"), b -> {
        var sig = (com.fasterxml.jackson.databind.node.ObjectNode)
            b.get("dsseEnvelope").get("signatures").get(0);
        switch (variant) {
          case "absent" -> sig.remove("keyid");
          case "null" -> sig.putNull("keyid");
          default -> sig.put("keyid", "");
        }
        return b;
      });
      VerifiedModel ok = Corpus.verifierFor(Corpus.V110_KEY)
          .verify(dir, dir.resolve("model.sig"), List.of(), Progress.NONE);
      assertThat(ok.fileCount()).as(variant).isEqualTo(2);
    }
  }

  @Test
  void bundleOfAnotherMediaTypeIsRefused() throws Exception {
    Path dir = Corpus.copy(Corpus.V110_KEY, tmp);
    Tamper.editBundle(dir.resolve("model.sig"),
        b -> b.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.2+json"));
    VerificationException e = verifyCopy(Corpus.V110_KEY, dir);
    assertThat(e.check()).isEqualTo(Check.BUNDLE_FORMAT);
    assertThat(e.getMessage()).contains("bundle media type is 'application/vnd.dev.sigstore.bundle.v0.2+json'"
        + ", expected 'application/vnd.dev.sigstore.bundle.v0.3+json'");
  }

  @Test
  void signatureFileThatIsNotJsonIsABundleFormatError() throws Exception {
    Path dir = Corpus.copy(Corpus.V110_KEY, tmp);
    Files.writeString(dir.resolve("model.sig"), "-----BEGIN SIGNATURE-----");
    VerificationException e = verifyCopy(Corpus.V110_KEY, dir);
    assertThat(e.check()).isEqualTo(Check.BUNDLE_FORMAT);
    assertThat(e.getMessage()).startsWith("not a valid OMS signature bundle: the signature file is not valid JSON");
  }
}
