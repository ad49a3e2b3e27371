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
    assertThat(signed.err()).as("plain progress lines when not on a terminal")
        .contains("Hashing: 0%").contains("Hashing: 100%");

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
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
