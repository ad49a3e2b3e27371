package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code airlock model sign|verify} against the reference tool's signatures and our own. */
class ModelCommandTest {
  /** The reference signatures, kept once in model-vault's test resources. */
  static final Path CORPUS = Path.of("../model-vault/src/test/resources/oms").toAbsolutePath().normalize();

  @TempDir Path tmp;

  @BeforeAll
  static void corpusIsPresent() {
    assertThat(CORPUS.resolve("keys/signing-key-pub.pem")).isRegularFile();
  }

  private static String[] verifyArgs(Path dir, String name, String... extra) {
    String trust = name.endsWith("-certificate") ? "--certificate-chain" : "--public-key";
    String trustFile = name.endsWith("-certificate")
        ? CORPUS.resolve("keys/ca-cert.pem").toString()
        : CORPUS.resolve("keys/signing-key-pub.pem").toString();
    return Stream.concat(Stream.of("model", "verify", dir.toString(), trust, trustFile,
        "--ignore-paths", dir.resolve("ignore-me").toString()), Stream.of(extra)).toArray(String[]::new);
  }

  @ParameterizedTest
  @ValueSource(strings = {"v1.0.1-elliptic-key", "v1.1.0-elliptic-key", "v1.0.1-certificate",
      "v1.1.0-certificate"})
  void referenceSignaturesVerifyThroughTheCli(String name) {
    Path dir = CORPUS.resolve(name);
    AirlockCliTest.Run r = AirlockCliTest.run(verifyArgs(dir, name));
    assertThat(r.err()).doesNotContain("NOT VERIFIED");
    assertThat(r.exit()).isZero();
    boolean cert = name.endsWith("-certificate");
    assertThat(r.out()).contains("Verified " + dir)
        .contains("method:      " + (cert ? "certificate" : "key"))
        .contains("signer:      " + (cert ? "CN=intermediate-ca" : "EC P384 key sha256:e8450dec4eb99dae"))
        .contains("files:       2")
        .contains("root digest: sha256:" + (cert
            ? "61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226"
            : "92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4"));
  }

  @Test
  void tamperedModelFailsNamingTheFileAndBothDigests() throws Exception {
    Path dir = copy("v1.1.0-elliptic-key");
    Path file = dir.resolve("signme-1");
    String expected = sha256(file);
    byte[] bytes = Files.readAllBytes(file);
    bytes[3] ^= 0x20;
    Files.write(file, bytes);

    AirlockCliTest.Run r = AirlockCliTest.run(verifyArgs(dir, "v1.1.0-elliptic-key"));

    assertThat(r.exit()).isEqualTo(ModelVerifyCommand.EXIT_NOT_VERIFIED);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("airlock model verify: NOT VERIFIED (digest mismatch)")
        .contains("signme-1: digest mismatch, expected sha256:" + expected + ", found sha256:"
            + sha256(file));
  }

  @Test
  void unsignedFileFailsUnlessIgnored() throws Exception {
    Path dir = copy("v1.0.1-elliptic-key");
    AirlockCliTest.Run r = AirlockCliTest.run("model", "verify", dir.toString(), "--public-key",
        CORPUS.resolve("keys/signing-key-pub.pem").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("NOT VERIFIED (unsigned file)")
        .contains("ignore-me: present but not signed");

    AirlockCliTest.Run ignoredRelative = AirlockCliTest.run("model", "verify", dir.toString(),
        "--public-key", CORPUS.resolve("keys/signing-key-pub.pem").toString(),
        "--ignore-paths", "ignore-me");
    assertThat(ignoredRelative.exit()).isZero();
  }

  @Test
  void wrongKeyIsReportedAsTheCheckThatFailed() {
    Path dir = CORPUS.resolve("v1.0.1-elliptic-key");
    Path otherKey = tmp.resolve("keys");
    assertThat(AirlockCliTest.run("keys", "generate", "--out", otherKey.toString(), "--curve", "p384")
        .exit()).isZero();
    AirlockCliTest.Run r = AirlockCliTest.run("model", "verify", dir.toString(), "--public-key",
        otherKey.resolve("public.pem").toString(), "--ignore-paths", "ignore-me");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("airlock model verify: NOT VERIFIED (signature): signature check failed");
  }

  @Test
  void certificateSignatureWithTheWrongRootFailsTheChainCheck() {
    Path dir = CORPUS.resolve("v1.1.0-certificate");
    AirlockCliTest.Run r = AirlockCliTest.run("model", "verify", dir.toString(),
        "--certificate-chain", CORPUS.resolve("keys/signing-key-cert.pem").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("NOT VERIFIED (certificate chain)");
  }

  @Test
  void signThenVerifyWithGeneratedKeys() throws Exception {
    Path keys = tmp.resolve("keys");
    Path model = tmp.resolve("my-model");
    Files.createDirectories(model.resolve("sub"));
    Files.writeString(model.resolve("config.json"), "{}");
    Files.write(model.resolve("sub/weights.safetensors"), new byte[100_000]);
    Files.writeString(model.resolve("notes.txt"), "not shipped");
    assertThat(AirlockCliTest.run("keys", "generate", "--out", keys.toString()).exit()).isZero();

    AirlockCliTest.Run signed = AirlockCliTest.run("model", "sign", model.toString(),
        "--private-key", keys.resolve("private.pem").toString(),
        "--ignore-paths", model.resolve("notes.txt").toString());
    assertThat(signed.exit()).as(signed.err()).isZero();
    assertThat(signed.out()).contains("files:       2").contains("signature:   " + model.resolve("model.sig"));
    assertThat(model.resolve("model.sig")).isRegularFile();
    assertThat(signed.err()).as("no progress lines for a model this small (see TransferProgressTest)")
        .doesNotContain("Hashing:");

    AirlockCliTest.Run verified = AirlockCliTest.run("model", "verify", model.toString(),
        "--public-key", keys.resolve("public.pem").toString());
    assertThat(verified.exit()).as(verified.err()).isZero();
    assertThat(verified.out()).contains("method:      key").contains("files:       2");
  }

  @Test
  void verifyNeedsExactlyOneWayToTrustTheSigner() {
    Path dir = CORPUS.resolve("v1.1.0-elliptic-key");
    AirlockCliTest.Run none = AirlockCliTest.run("model", "verify", dir.toString());
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("Missing required argument")
        .contains("--public-key=PEM | --certificate-chain=PEM");

    AirlockCliTest.Run both = AirlockCliTest.run("model", "verify", dir.toString(),
        "--public-key", "a.pem", "--certificate-chain", "b.pem");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive");
  }

  @Test
  void missingSignatureFileIsBadInputNotAFailedCheck() throws Exception {
    Path dir = tmp.resolve("unsigned");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("w.bin"), "w");
    AirlockCliTest.Run r = AirlockCliTest.run("model", "verify", dir.toString(), "--public-key",
        CORPUS.resolve("keys/signing-key-pub.pem").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("signature file not found: " + dir.resolve("model.sig"));
  }

  /** A key pair from 'airlock keys generate', and a one-file model beside nothing else. */
  private Path keys() {
    Path keys = tmp.resolve("keys");
    assertThat(AirlockCliTest.run("keys", "generate", "--out", keys.toString()).exit()).isZero();
    return keys;
  }

  private Path ggufModel() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("downloads"));
    return Files.write(dir.resolve("tiny-q8_0.gguf"), new byte[50_000]);
  }

  private AirlockCliTest.Run sign(Path model, Path keys, String... extra) {
    return AirlockCliTest.run(Stream.concat(Stream.of("model", "sign", model.toString(),
        "--private-key", keys.resolve("private.pem").toString()), Stream.of(extra))
        .toArray(String[]::new));
  }

  private AirlockCliTest.Run verify(Path model, Path keys, String... extra) {
    return AirlockCliTest.run(Stream.concat(Stream.of("model", "verify", model.toString(),
        "--public-key", keys.resolve("public.pem").toString()), Stream.of(extra))
        .toArray(String[]::new));
  }

  @Test
  void singleFileIsSignedWithModelSigBesideItAndVerifies() throws Exception {
    Path keys = keys();
    Path gguf = ggufModel();
    Path sig = gguf.resolveSibling("model.sig");

    AirlockCliTest.Run signed = sign(gguf, keys);
    assertThat(signed.exit()).as(signed.err()).isZero();
    assertThat(signed.out()).startsWith("Signed " + gguf + " (a single file)\n")
        .contains("files:       1")
        .contains("root digest: sha256:" + sha256(sha256Bytes(Files.readAllBytes(gguf))))
        .contains("signature:   " + sig);
    assertThat(sig).isRegularFile();

    AirlockCliTest.Run verified = verify(gguf, keys);
    assertThat(verified.exit()).as(verified.err()).isZero();
    assertThat(verified.out()).startsWith("Verified " + gguf + " (a single file) against " + sig)
        .contains("method:      key").contains("files:       1");
  }

  @Test
  void changedSingleFileFailsNamingTheModelFile() throws Exception {
    Path keys = keys();
    Path gguf = ggufModel();
    assertThat(sign(gguf, keys).exit()).isZero();
    String expected = sha256(gguf);
    Files.write(gguf, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);

    AirlockCliTest.Run r = verify(gguf, keys);

    assertThat(r.exit()).isEqualTo(ModelVerifyCommand.EXIT_NOT_VERIFIED);
    assertThat(r.err()).isEqualTo("airlock model verify: NOT VERIFIED (digest mismatch): the model"
        + " does not match its signature (1 problem):\n  . (the model file): digest mismatch,"
        + " expected sha256:" + expected + ", found sha256:" + sha256(gguf) + "\n");
  }

  @Test
  void singleFileSignatureAgainstItsDirectoryAndTheReverseFailTheModelKindCheck() throws Exception {
    Path keys = keys();
    Path gguf = ggufModel();
    Path sig = gguf.resolveSibling("model.sig");
    assertThat(sign(gguf, keys).exit()).isZero();

    AirlockCliTest.Run dirAgainstFileSig = verify(gguf.getParent(), keys);
    assertThat(dirAgainstFileSig.exit()).isEqualTo(ModelVerifyCommand.EXIT_NOT_VERIFIED);
    assertThat(dirAgainstFileSig.err()).isEqualTo("airlock model verify: NOT VERIFIED (model kind):"
        + " model kind check failed: the signature covers a single file (resource '.', signed as"
        + " 'tiny-q8_0.gguf') but " + gguf.getParent() + " is a directory; verify the file that"
        + " was signed, giving the signature with --signature\n");

    assertThat(sign(gguf.getParent(), keys).exit()).isZero();
    AirlockCliTest.Run fileAgainstDirSig = verify(gguf, keys);
    assertThat(fileAgainstDirSig.exit()).isEqualTo(ModelVerifyCommand.EXIT_NOT_VERIFIED);
    assertThat(fileAgainstDirSig.err()).isEqualTo("airlock model verify: NOT VERIFIED (model kind):"
        + " model kind check failed: the signature covers a model directory ('downloads', 1 file)"
        + " but " + gguf + " is a single file; verify the directory that was signed\n");
    assertThat(sig).isRegularFile();
  }

  @Test
  void pathThatIsNeitherFileNorDirectoryIsBadInput() throws Exception {
    Path keys = keys();
    Path missing = tmp.resolve("missing.gguf");
    String why = missing + ": no such model file or directory; give the model directory, or the"
        + " model's single file\n";
    AirlockCliTest.Run s = sign(missing, keys);
    assertThat(s.exit()).isEqualTo(2);
    assertThat(s.err()).isEqualTo("airlock model sign: " + why);
    AirlockCliTest.Run v = verify(missing, keys);
    assertThat(v.exit()).isEqualTo(2);
    assertThat(v.err()).isEqualTo("airlock model verify: " + why);

    Path fifo = tmp.resolve("pipe");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    AirlockCliTest.Run p = sign(fifo, keys);
    assertThat(p.exit()).isEqualTo(2);
    assertThat(p.err()).isEqualTo("airlock model sign: " + fifo + " is neither a regular file nor"
        + " a directory (a device, pipe or socket); give the model directory, or the model's"
        + " single file\n");
  }

  @Test
  void signatureThatIsTheModelFileItselfIsBadInput() throws Exception {
    Path keys = keys();
    Path gguf = ggufModel();
    byte[] before = Files.readAllBytes(gguf);

    AirlockCliTest.Run s = sign(gguf, keys, "--signature", gguf.toString());
    assertThat(s.exit()).isEqualTo(2);
    assertThat(s.err()).isEqualTo("airlock model sign: the signature " + gguf + " would overwrite"
        + " the model file itself; give --signature another path.\n");
    assertThat(Files.readAllBytes(gguf)).isEqualTo(before);

    AirlockCliTest.Run v = verify(gguf, keys, "--signature", gguf.toString());
    assertThat(v.exit()).isEqualTo(2);
    assertThat(v.err()).isEqualTo("airlock model verify: the signature file " + gguf + " is the"
        + " model file itself; give the signature with --signature\n");
  }

  @Test
  void ignorePathsWithASingleFileAreBadInput() throws Exception {
    Path keys = keys();
    Path gguf = ggufModel();
    String why = "ignore paths (README.md) name paths inside a model directory, but " + gguf
        + " is a single file, signed whole; leave out --ignore-paths\n";
    AirlockCliTest.Run s = sign(gguf, keys, "--ignore-paths", "README.md");
    assertThat(s.exit()).isEqualTo(2);
    assertThat(s.err()).isEqualTo("airlock model sign: " + why);

    assertThat(sign(gguf, keys).exit()).isZero();
    AirlockCliTest.Run v = verify(gguf, keys, "--ignore-paths", "README.md");
    assertThat(v.exit()).isEqualTo(2);
    assertThat(v.err()).isEqualTo("airlock model verify: " + why);
  }

  @Test
  void signatureWrittenInsideTheDirectoryIsLeftOutWhenSigningAgain() throws Exception {
    Path keys = keys();
    Path model = Files.createDirectories(tmp.resolve("m"));
    Files.writeString(model.resolve("config.json"), "{}");
    Path sig = model.resolve("sigs/publisher.sig");
    Files.createDirectories(sig.getParent());

    assertThat(sign(model, keys, "--signature", sig.toString()).exit()).isZero();
    AirlockCliTest.Run again = sign(model, keys, "--signature", sig.toString());
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("files:       1");

    AirlockCliTest.Run v = verify(model, keys, "--signature", sig.toString());
    assertThat(v.exit()).as(v.err()).isZero();
  }

  private Path copy(String name) throws IOException {
    Path target = tmp.resolve(name);
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(CORPUS.resolve(name))) {
      for (Path f : files.toList()) {
        Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return target;
  }

  private static String sha256(Path file) throws Exception {
    return sha256(Files.readAllBytes(file));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(sha256Bytes(bytes));
  }

  private static byte[] sha256Bytes(byte[] bytes) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(bytes);
  }
}
