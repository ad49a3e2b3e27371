package dev.airlock.vault.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.vault.Progress;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.signing.TestCertificates.Issued;
import dev.airlock.vault.signing.VerificationException.Check;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A model that is one file (e.g. a single {@code .gguf}), signed and verified as the reference
 * tool does it: one resource named {@code "."}, the subject named after the file.
 */
class SingleFileSignatureTest {
  /**
   * The reference tool's golden statements for a one-file model (sigstore/model-transparency at
   * e343073, tests/_signing/testdata/signing/TestPayload/sample_model_file, empty_model_file and
   * sample_model_file_small_shards), whose file is tests/test_support.py's KNOWN_MODEL_TEXT.
   */
  private static final String KNOWN_MODEL_TEXT = "This is a simple model";
  private static final String KNOWN_FILE_DIGEST =
      "3aab065c7181a173b5dd9e9d32a9f79923440b413be1e1ffcdba26a7365f719b";
  private static final String KNOWN_ROOT_DIGEST =
      "002d162f867c5eee944e5080d25829b6625be0e3f081f6fbafc7dd655ca2e178";
  private static final String EMPTY_FILE_DIGEST =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final String EMPTY_ROOT_DIGEST =
      "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456";
  private static final Clock MID_2026 =
      Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path tmp;

  private Path file(String name, byte[] content) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("model"));
    return Files.write(dir.resolve(name), content);
  }

  private Path knownFile() throws Exception {
    return file("file_model", KNOWN_MODEL_TEXT.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode statementOf(ModelSignature signature) throws Exception {
    return Json.MAPPER.readTree(signature.bundle().envelope().payload());
  }

  private static VerificationException failure(ThrowingVerify verify) throws Exception {
    try {
      verify.run();
    } catch (VerificationException e) {
      return e;
    }
    throw new AssertionError("verified, but should not have");
  }

  @FunctionalInterface
  private interface ThrowingVerify {
    void run() throws Exception;
  }

  @Test
  void singleFileStatementMatchesTheReferenceToolsFieldByField() throws Exception {
    Path file = knownFile();
    JsonNode statement = statementOf(
        new ModelSigner(SigningKey.generate(Curve.P256)).sign(file, List.of(), Progress.NONE));

    assertThat(statement.get("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
    assertThat(statement.get("predicateType").asText())
        .isEqualTo("https://model_signing/signature/v1.0");
    assertThat(statement.get("subject")).hasSize(1);
    assertThat(statement.at("/subject/0/name").asText()).isEqualTo("file_model");
    assertThat(statement.at("/subject/0/digest").properties()).hasSize(1);
    assertThat(statement.at("/subject/0/digest/sha256").asText()).isEqualTo(KNOWN_ROOT_DIGEST);
    assertThat(statement.get("predicate").properties()).extracting(Map.Entry::getKey)
        .containsExactlyInAnyOrder("serialization", "resources");
    assertThat(statement.at("/predicate/resources")).hasSize(1);
    JsonNode resource = statement.at("/predicate/resources/0");
    assertThat(resource.properties()).extracting(Map.Entry::getKey)
        .containsExactlyInAnyOrder("name", "algorithm", "digest");
    assertThat(resource.get("name").asText()).isEqualTo(".");
    assertThat(resource.get("algorithm").asText()).isEqualTo("sha256");
    assertThat(resource.get("digest").asText()).isEqualTo(KNOWN_FILE_DIGEST);
    JsonNode serialization = statement.at("/predicate/serialization");
    assertThat(serialization.properties()).extracting(Map.Entry::getKey)
        .containsExactlyInAnyOrder("method", "hash_type", "allow_symlinks", "ignore_paths");
    assertThat(serialization.get("method").asText()).isEqualTo("files");
    assertThat(serialization.get("hash_type").asText()).isEqualTo("sha256");
    assertThat(serialization.get("allow_symlinks").isBoolean()).isTrue();
    assertThat(serialization.get("allow_symlinks").asBoolean()).isFalse();
    // The reference CLI records its git ignores made relative to the file, and no model.sig:
    // a signature cannot lie inside a file. (It writes them as a set, in no fixed order.)
    List<String> ignored = new ArrayList<>();
    serialization.get("ignore_paths").forEach(p -> ignored.add(p.asText()));
    assertThat(ignored).containsExactlyInAnyOrder(".git", ".gitattributes", ".github", ".gitignore");
  }

  @Test
  void emptyFileHasTheReferenceToolsDigests() throws Exception {
    ModelManifest m = new ModelHasher().hash(file("empty_file_model", new byte[0]),
        Serialization.Files.of(List.of()), List.of(), Progress.NONE);
    assertThat(m.modelName()).isEqualTo("empty_file_model");
    assertThat(m.resources()).containsExactly(
        new Resource(".", Sha256.parse(EMPTY_FILE_DIGEST)));
    assertThat(m.rootDigest().hex()).isEqualTo(EMPTY_ROOT_DIGEST);
  }

  @Test
  void shardsOfASingleFileAreNamedLikeTheReferenceTools() throws Exception {
    ModelManifest m = new ModelHasher().hash(knownFile(),
        new Serialization.Shards(8, false, List.of()), List.of(), Progress.NONE);
    assertThat(m.resources()).containsExactly(
        new Resource(".:0:8", Sha256.parse(
            "a37010c994067764d86540bf479d93b4d0c3bb3955de7b61f951caf2fd0301b0")),
        new Resource(".:8:16", Sha256.parse(
            "bd762002a3528a27fb9a8822f822b949d3c9ab7e860af33039c9aa70ebbbe682")),
        new Resource(".:16:22", Sha256.parse(
            "a791e1e893ea4260c77475725101fb4cc6ad85f6340f21f10b239184e318cd21")));
    assertThat(m.rootDigest().hex())
        .isEqualTo("57d54248751a51781ac2bed647670df0c45d3926e337021585c34a82384b6573");
    assertThat(m.isSingleFile()).isTrue();
    assertThat(m.fileCount()).isEqualTo(1);

    JsonNode predicate = Json.MAPPER.readTree(m.toStatement().toJson()).get("predicate");
    assertThat(predicate.at("/serialization/method").asText()).isEqualTo("shards");
    assertThat(predicate.at("/serialization/hash_type").asText()).isEqualTo("sha256");
    assertThat(predicate.at("/serialization/shard_size").asLong()).isEqualTo(8);
    List<String> algorithms = new ArrayList<>();
    predicate.get("resources").forEach(r -> algorithms.add(r.get("algorithm").asText()));
    assertThat(algorithms).containsExactly("sha256-sharded-8", "sha256-sharded-8", "sha256-sharded-8");
  }

  @ParameterizedTest
  @EnumSource(value = Curve.class, names = {"P256", "P384"})
  void keySignedSingleFileRoundTrips(Curve curve) throws Exception {
    Path file = file("qwen3-0.6b-q8_0.gguf", Sha256.of(new byte[] {7}).bytes());
    SigningKey key = SigningKey.generate(curve);
    Path sig = file.resolveSibling("model.sig");
    new ModelSigner(key).sign(file, List.of(), Progress.NONE).write(sig);

    VerifiedModel verified = ModelVerifier.withKey(key.verifyingKey())
        .verify(file, sig, List.of(), Progress.NONE);

    assertThat(verified.method()).isEqualTo(SigningMethod.KEY);
    assertThat(verified.fileCount()).isEqualTo(1);
    assertThat(verified.manifest().isSingleFile()).isTrue();
    assertThat(verified.manifest().modelName()).isEqualTo("qwen3-0.6b-q8_0.gguf");
    assertThat(verified.manifest().resources()).containsExactly(
        new Resource(".", Sha256.of(Files.readAllBytes(file))));
  }

  @Test
  void renamedFileStillVerifiesBecauseTheSubjectNameIsOnlyInformative() throws Exception {
    Path file = knownFile();
    SigningKey key = SigningKey.generate(Curve.P256);
    Path sig = tmp.resolve("file_model.sig");
    new ModelSigner(key).sign(file, List.of(), Progress.NONE).write(sig);
    Path renamed = Files.move(file, file.resolveSibling("renamed.bin"));

    assertThat(ModelVerifier.withKey(key.verifyingKey())
        .verify(renamed, sig, List.of(), Progress.NONE).manifest().modelName())
        .isEqualTo("file_model");
  }

  @Test
  void certificateSignedSingleFileVerifiesAgainstItsRoot() throws Exception {
    Path file = knownFile();
    Issued root = TestCertificates.root("Airlock Test Root");
    Issued leaf = TestCertificates.leaf(root, "Model Publisher", KeyUsage.digitalSignature, null,
        TestCertificates.NOT_BEFORE, TestCertificates.NOT_AFTER);
    ModelManifest manifest = new ModelSigner(SigningKey.generate(Curve.P256))
        .manifest(file, List.of(), Progress.NONE);
    Path sig = tmp.resolve("model.sig");
    Files.write(sig, TestCertificates.signWithCertificate(manifest, leaf).toJson());

    VerifiedModel verified = ModelVerifier.withTrustedRoots(List.of(root.certificate()), MID_2026)
        .verify(file, sig, List.of(), Progress.NONE);

    assertThat(verified.method()).isEqualTo(SigningMethod.CERTIFICATE);
    assertThat(verified.signer()).isEqualTo("CN=Model Publisher");
    assertThat(verified.manifest().rootDigest().hex()).isEqualTo(KNOWN_ROOT_DIGEST);

    Tamper.flipByte(file, 0);
    assertThat(failure(() -> ModelVerifier.withTrustedRoots(List.of(root.certificate()), MID_2026)
        .verify(file, sig, List.of(), Progress.NONE)).check()).isEqualTo(Check.DIGEST_MISMATCH);
  }

  @Test
  void changedFileIsADigestMismatchNamingTheFileAndBothDigests() throws Exception {
    Path file = knownFile();
    SigningKey key = SigningKey.generate(Curve.P256);
    Path sig = tmp.resolve("model.sig");
    new ModelSigner(key).sign(file, List.of(), Progress.NONE).write(sig);
    Tamper.flipByte(file, 5);
    String found = Sha256.of(Files.readAllBytes(file)).hex();

    VerificationException e = failure(() -> ModelVerifier.withKey(key.verifyingKey())
        .verify(file, sig, List.of(), Progress.NONE));

    assertThat(e.check()).isEqualTo(Check.DIGEST_MISMATCH);
    assertThat(e.getMessage()).isEqualTo("the model does not match its signature (1 problem):\n"
        + "  . (the model file): digest mismatch, expected sha256:" + KNOWN_FILE_DIGEST
        + ", found sha256:" + found);
    assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.name()).isEqualTo("."));
  }

  @Test
  void changedStatementOrSignatureBreaksTheSignature() throws Exception {
    Path file = knownFile();
    SigningKey key = SigningKey.generate(Curve.P256);
    ModelVerifier verifier = ModelVerifier.withKey(key.verifyingKey());
    Path sig = tmp.resolve("model.sig");

    new ModelSigner(key).sign(file, List.of(), Progress.NONE).write(sig);
    // A statement made to agree with another file: the signature no longer covers it.
    Tamper.editStatement(sig, KNOWN_FILE_DIGEST, Sha256.of(new byte[] {1}).hex());
    VerificationException statement = failure(() -> verifier.verify(file, sig, List.of(), Progress.NONE));
    assertThat(statement.check()).isEqualTo(Check.SIGNATURE);
    assertThat(statement.getMessage()).startsWith("signature check failed");

    new ModelSigner(key).sign(file, List.of(), Progress.NONE).write(sig);
    Tamper.editStatement(sig, "\"name\": \".\"", "\"name\": \"file_model\"");
    assertThat(failure(() -> verifier.verify(file, sig, List.of(), Progress.NONE)).check())
        .isEqualTo(Check.SIGNATURE);

    new ModelSigner(key).sign(file, List.of(), Progress.NONE).write(sig);
    Tamper.flipSignatureByte(sig, 10);
    assertThat(failure(() -> verifier.verify(file, sig, List.of(), Progress.NONE)).check())
        .isEqualTo(Check.SIGNATURE);
  }

  @Test
  void singleFileSignatureAgainstADirectoryFailsTheModelKindCheck() throws Exception {
    Path file = knownFile();
    SigningKey key = SigningKey.generate(Curve.P256);
    Path sig = tmp.resolve("model.sig");
    new ModelSigner(key).sign(file, List.of(), Progress.NONE).write(sig);
    Path dir = file.getParent();

    VerificationException e = failure(() -> ModelVerifier.withKey(key.verifyingKey())
        .verify(dir, sig, List.of(), Progress.NONE));

    assertThat(e.check()).isEqualTo(Check.MODEL_KIND);
    assertThat(e.getMessage()).isEqualTo("model kind check failed: the signature covers a single"
        + " file (resource '.', signed as 'file_model') but " + dir + " is a directory; verify the"
        + " file that was signed, giving the signature with --signature");
  }

  @Test
  void directorySignatureAgainstASingleFileFailsTheModelKindCheck() throws Exception {
    Path file = knownFile();
    Files.writeString(file.resolveSibling("config.json"), "{}");
    SigningKey key = SigningKey.generate(Curve.P256);
    Path sig = file.resolveSibling("model.sig");
    new ModelSigner(key).sign(file.getParent(), List.of(), Progress.NONE).write(sig);

    VerificationException e = failure(() -> ModelVerifier.withKey(key.verifyingKey())
        .verify(file, sig, List.of(), Progress.NONE));

    assertThat(e.check()).isEqualTo(Check.MODEL_KIND);
    assertThat(e.getMessage()).isEqualTo("model kind check failed: the signature covers a model"
        + " directory ('model', 2 files) but " + file + " is a single file; verify the directory"
        + " that was signed");
  }

  @Test
  void statementListingTheSingleFileBesideOtherFilesIsMalformed() throws Exception {
    Path dir = knownFile().getParent();
    Files.writeString(dir.resolve("other"), "x");
    SigningKey key = SigningKey.generate(Curve.P256);
    ModelManifest real = new ModelHasher().hash(dir, Serialization.Files.of(List.of()), List.of(),
        Progress.NONE);
    List<Resource> mixed = new ArrayList<>(real.resources());
    mixed.add(new Resource(".", Sha256.parse(KNOWN_FILE_DIGEST)));
    Path sig = tmp.resolve("model.sig");
    new ModelSigner(key).sign(new ModelManifest("model", real.serialization(), mixed)).write(sig);

    VerificationException e = failure(() -> ModelVerifier.withKey(key.verifyingKey())
        .verify(dir, sig, List.of(), Progress.NONE));

    assertThat(e.check()).isEqualTo(Check.STATEMENT);
    assertThat(e.getMessage()).isEqualTo("the signed statement is malformed: resource '.' names a"
        + " model that is a single file, yet other resources are listed with it");
  }

  @Test
  void ignorePathsAreRefusedForASingleFile() throws Exception {
    Path file = knownFile();
    SigningKey key = SigningKey.generate(Curve.P256);
    String expected = "ignore paths (README.md) name paths inside a model directory, but " + file
        + " is a single file, signed whole; leave out --ignore-paths";
    assertThatThrownBy(() -> new ModelSigner(key).sign(file, List.of("README.md"), Progress.NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(expected);

    Path sig = tmp.resolve("model.sig");
    new ModelSigner(key).sign(file, List.of(), Progress.NONE).write(sig);
    assertThatThrownBy(() -> ModelVerifier.withKey(key.verifyingKey())
        .verify(file, sig, List.of("README.md"), Progress.NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(expected);
  }

  @Test
  void signatureThatIsTheModelFileItselfIsRefused() throws Exception {
    Path file = knownFile();
    assertThatThrownBy(() -> ModelVerifier.withKey(SigningKey.generate(Curve.P256).verifyingKey())
        .verify(file, file, List.of(), Progress.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the signature file " + file + " is the model file itself; give the signature"
            + " with --signature");
  }

  @Test
  void pathThatIsNeitherFileNorDirectoryIsRefusedSayingWhatItIs() throws Exception {
    Path missing = tmp.resolve("no-such.gguf");
    assertThatThrownBy(() -> new ModelSigner(SigningKey.generate(Curve.P256))
        .sign(missing, List.of(), Progress.NONE))
        .hasMessage(missing + ": no such model file or directory; give the model directory, or"
            + " the model's single file");

    Path link = Files.createSymbolicLink(tmp.resolve("link.gguf"), knownFile());
    assertThatThrownBy(() -> new ModelHasher().hash(link, Serialization.Files.of(List.of()),
        List.of(), Progress.NONE))
        .hasMessage(link + " is a symbolic link; give the file or directory it points to");

    Path fifo = tmp.resolve("pipe");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    assertThatThrownBy(() -> new ModelHasher().hash(fifo, Serialization.Files.of(List.of()),
        List.of(), Progress.NONE))
        .hasMessage(fifo + " is neither a regular file nor a directory (a device, pipe or socket);"
            + " give the model directory, or the model's single file");
  }

  @Test
  void publishedSingleFileVerifiesAsTheOneFileBesideItsSignature() throws Exception {
    Path file = knownFile();
    Path dir = file.getParent();
    SigningKey key = SigningKey.generate(Curve.P256);
    new ModelSigner(key).sign(file, List.of(), Progress.NONE).write(dir.resolve("model.sig"));
    Files.writeString(dir.resolve(".gitattributes"), "*.gguf filter=lfs");
    ModelVerifier verifier = ModelVerifier.withKey(key.verifyingKey());

    VerifiedModel verified = verifier.verifyPublished(dir, Progress.NONE);
    assertThat(verified.manifest().isSingleFile()).isTrue();
    assertThat(verified.manifest().rootDigest().hex()).isEqualTo(KNOWN_ROOT_DIGEST);

    Files.writeString(dir.resolve("b-extra.txt"), "x");
    Files.writeString(dir.resolve("a-extra.txt"), "y");
    VerificationException extra = failure(() -> verifier.verifyPublished(dir, Progress.NONE));
    assertThat(extra.check()).isEqualTo(Check.MODEL_KIND);
    assertThat(extra.getMessage()).isEqualTo("model kind check failed: the signature covers a"
        + " single file ('file_model') but " + dir + " holds 3 files beside model.sig"
        + " (a-extra.txt, b-extra.txt, file_model); a model signed as a single file travels alone"
        + " with its model.sig");

    Files.delete(dir.resolve("a-extra.txt"));
    Files.delete(dir.resolve("b-extra.txt"));
    Tamper.flipByte(file, 0);
    assertThat(failure(() -> verifier.verifyPublished(dir, Progress.NONE)).check())
        .isEqualTo(Check.DIGEST_MISMATCH);

    Files.delete(file);
    assertThat(failure(() -> verifier.verifyPublished(dir, Progress.NONE)).getMessage())
        .isEqualTo("model kind check failed: the signature covers a single file ('file_model')"
            + " but " + dir + " holds no file beside model.sig; a model signed as a single file"
            + " travels alone with its model.sig");
  }

  @Test
  void publishedDirectoryVerifiesAsBefore() throws Exception {
    Path dir = knownFile().getParent();
    Files.writeString(dir.resolve("config.json"), "{}");
    SigningKey key = SigningKey.generate(Curve.P256);
    new ModelSigner(key).sign(dir, List.of(), Progress.NONE).write(dir.resolve("model.sig"));

    VerifiedModel verified = ModelVerifier.withKey(key.verifyingKey())
        .verifyPublished(dir, Progress.NONE);
    assertThat(verified.manifest().isSingleFile()).isFalse();
    assertThat(verified.fileCount()).isEqualTo(2);
  }
}
