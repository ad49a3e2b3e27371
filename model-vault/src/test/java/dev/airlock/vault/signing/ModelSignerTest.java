package dev.airlock.vault.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.vault.Progress;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.signing.VerificationException.Check;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Signing with the key method produces what the reference tool writes and verifies. */
class ModelSignerTest {
  @TempDir Path tmp;

  private Path model() throws Exception {
    Path dir = tmp.resolve("tiny-model");
    Files.createDirectories(dir.resolve("tokenizer"));
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"}\n");
    Files.write(dir.resolve("model.safetensors"), new byte[3000]);
    Files.writeString(dir.resolve("tokenizer/tokenizer.json"), "{}");
    Files.writeString(dir.resolve("tokenizer.json"), "{\"v\":1}");
    Files.write(dir.resolve("empty"), new byte[0]);
    return dir;
  }

  @ParameterizedTest
  @EnumSource(value = Curve.class, names = {"P256", "P384"})
  void signThenVerifyRoundTrips(Curve curve) throws Exception {
    Path dir = model();
    SigningKey key = SigningKey.generate(curve);
    new ModelSigner(key).sign(dir, List.of(), Progress.NONE).write(dir.resolve("model.sig"));

    VerifiedModel verified = ModelVerifier.withKey(key.verifyingKey())
        .verify(dir, dir.resolve("model.sig"), List.of(), Progress.NONE);

    assertThat(verified.method()).isEqualTo(SigningMethod.KEY);
    assertThat(verified.manifest().resources()).extracting(Resource::name).containsExactly(
        "config.json", "empty", "model.safetensors", "tokenizer/tokenizer.json", "tokenizer.json");
    assertThat(verified.manifest().resources().get(2).digest())
        .isEqualTo(Sha256.of(new byte[3000]));
  }

  @Test
  void signatureHasTheReferenceToolsShape() throws Exception {
    Path dir = model();
    SigningKey key = SigningKey.generate(Curve.P384);
    byte[] json = new ModelSigner(key).sign(dir, List.of("empty"), Progress.NONE).toJson();

    JsonNode bundle = Json.MAPPER.readTree(json);
    assertThat(bundle.get("mediaType").asText())
        .isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
    assertThat(bundle.at("/verificationMaterial/publicKey/hint").asText())
        .isEqualTo(key.verifyingKey().hint());
    assertThat(bundle.at("/verificationMaterial/tlogEntries").isArray()).isTrue();
    assertThat(bundle.at("/dsseEnvelope/payloadType").asText()).isEqualTo("application/vnd.in-toto+json");
    assertThat(bundle.at("/dsseEnvelope/signatures/0/keyid").asText()).isEmpty();

    byte[] payload = Base64.getDecoder().decode(bundle.at("/dsseEnvelope/payload").asText());
    JsonNode statement = Json.MAPPER.readTree(payload);
    assertThat(statement.get("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
    assertThat(statement.get("predicateType").asText()).isEqualTo("https://model_signing/signature/v1.0");
    assertThat(statement.at("/subject/0/name").asText()).isEqualTo("tiny-model");
    assertThat(statement.at("/predicate/serialization/method").asText()).isEqualTo("files");
    assertThat(statement.at("/predicate/serialization/hash_type").asText()).isEqualTo("sha256");
    assertThat(statement.at("/predicate/serialization/allow_symlinks").asBoolean(true)).isFalse();
    assertThat(statement.at("/predicate/serialization/ignore_paths").toString())
        .isEqualTo("[\".git\",\".gitattributes\",\".github\",\".gitignore\",\"model.sig\",\"empty\"]");
    assertThat(statement.at("/predicate/resources/0").toString()).isEqualTo(
        "{\"name\":\"config.json\",\"algorithm\":\"sha256\",\"digest\":\""
            + Sha256.of("{\"model_type\": \"llama\"}\n".getBytes(StandardCharsets.UTF_8)).hex() + "\"}");

    // The signature is DER ECDSA over the DSSE PAE of the payload, with the curve's hash.
    byte[] sig = Base64.getDecoder().decode(bundle.at("/dsseEnvelope/signatures/0/sig").asText());
    java.security.Signature jca = java.security.Signature.getInstance("SHA384withECDSA");
    // Checked by the JDK's own ECDSA (not BouncyCastle), from the key's standard encoding.
    jca.initVerify(java.security.KeyFactory.getInstance("EC").generatePublic(
        new java.security.spec.X509EncodedKeySpec(key.verifyingKey().publicKey().getEncoded())));
    jca.update(Dsse.pae("application/vnd.in-toto+json", payload));
    assertThat(jca.verify(sig)).isTrue();
  }

  @Test
  void ourSignatureParsesThroughTheSameCodeAsTheReferenceSignatures() throws Exception {
    Path dir = model();
    SigningKey key = SigningKey.generate(Curve.P256);
    byte[] ours = new ModelSigner(key).sign(dir, List.of(), Progress.NONE).toJson();
    byte[] theirs = Files.readAllBytes(Corpus.model(Corpus.V110_KEY).resolve("model.sig"));

    for (byte[] json : List.of(ours, theirs)) {
      SigstoreBundle bundle = ModelSignature.parse(json).bundle();
      assertThat(bundle.material()).isInstanceOf(SigstoreBundle.PublicKeyHint.class);
      InTotoStatement statement = InTotoStatement.parse(bundle.envelope().payload());
      ModelManifest manifest = ModelManifest.fromStatement(statement);
      assertThat(manifest.serialization()).isInstanceOf(Serialization.Files.class);
      assertThat(manifest.serialization().ignorePaths()).contains("model.sig", ".git");
    }
  }

  @Test
  void tamperingWithOurOwnSignatureIsCaught() throws Exception {
    Path dir = model();
    SigningKey key = SigningKey.generate(Curve.P256);
    new ModelSigner(key).sign(dir, List.of(), Progress.NONE).write(dir.resolve("model.sig"));
    Tamper.flipByte(dir.resolve("model.safetensors"), 1234);
    assertThatThrownBy(() -> ModelVerifier.withKey(key.verifyingKey())
        .verify(dir, dir.resolve("model.sig"), List.of(), Progress.NONE))
        .isInstanceOfSatisfying(VerificationException.class,
            e -> assertThat(e.check()).isEqualTo(Check.DIGEST_MISMATCH))
        .hasMessageContaining("model.safetensors: digest mismatch");
  }

  @Test
  void shardedSignatureWithFloatShardSizeVerifies() throws Exception {
    Path dir = model();
    SigningKey key = SigningKey.generate(Curve.P256);
    ModelManifest manifest = new ModelHasher().hash(dir,
        new Serialization.Shards(1024, false, List.of(".git", "model.sig")), List.of(),
        Progress.NONE);
    assertThat(manifest.resources()).extracting(Resource::name).containsSubsequence(
        "model.safetensors:0:1024", "model.safetensors:1024:2048", "model.safetensors:2048:3000");
    assertThat(manifest.resources()).extracting(Resource::name).noneMatch(n -> n.startsWith("empty"));

    // Older signatures carry shard_size as a protobuf double: 1024.0
    InTotoStatement statement = manifest.toStatement();
    ObjectNode predicate = (ObjectNode) statement.predicate();
    ((ObjectNode) predicate.get("serialization")).set("shard_size", DoubleNode.valueOf(1024.0));
    assertThat(new String(new InTotoStatement(statement.subjects(), statement.predicateType(),
        predicate).toJson(), StandardCharsets.UTF_8)).contains("\"shard_size\": 1024.0");
    SigstoreBundle bundle = new ModelSigner(key).signStatement(
        new InTotoStatement(statement.subjects(), statement.predicateType(), predicate));
    Files.write(dir.resolve("model.sig"), bundle.toJson());

    VerifiedModel verified = ModelVerifier.withKey(key.verifyingKey())
        .verify(dir, dir.resolve("model.sig"), List.of(), Progress.NONE);
    assertThat(verified.manifest().serialization()).isEqualTo(
        new Serialization.Shards(1024, false, List.of(".git", "model.sig")));
    assertThat(verified.fileCount()).isEqualTo(4);

    Tamper.flipByte(dir.resolve("model.safetensors"), 2500);
    assertThatThrownBy(() -> ModelVerifier.withKey(key.verifyingKey())
        .verify(dir, dir.resolve("model.sig"), List.of(), Progress.NONE))
        .hasMessageContaining("model.safetensors:2048:3000: digest mismatch");
  }

  @Test
  void otherPredicateTypeIsRefusedAsAModelSignature() throws Exception {
    Path dir = model();
    SigningKey key = SigningKey.generate(Curve.P256);
    InTotoStatement s = new ModelHasher().hash(dir, Serialization.Files.of(List.of()), List.of(),
        Progress.NONE).toStatement();
    SigstoreBundle bundle = new ModelSigner(key).signStatement(
        new InTotoStatement(s.subjects(), "https://model_signing/Digests/v0.1", s.predicate()));
    Files.write(dir.resolve("model.sig"), bundle.toJson());
    assertThatThrownBy(() -> ModelVerifier.withKey(key.verifyingKey())
        .verify(dir, dir.resolve("model.sig"), List.of(), Progress.NONE))
        .isInstanceOfSatisfying(VerificationException.class,
            e -> assertThat(e.check()).isEqualTo(Check.PREDICATE_TYPE))
        .hasMessageContaining("predicateType is 'https://model_signing/Digests/v0.1', expected"
            + " 'https://model_signing/signature/v1.0'");
  }

  @Test
  void statementWhoseRootDigestDisagreesIsRefused() throws Exception {
    Path dir = model();
    SigningKey key = SigningKey.generate(Curve.P256);
    InTotoStatement s = new ModelHasher().hash(dir, Serialization.Files.of(List.of()), List.of(),
        Progress.NONE).toStatement();
    String wrong = Sha256.of(new byte[] {1}).hex();
    SigstoreBundle bundle = new ModelSigner(key).signStatement(new InTotoStatement(
        List.of(new InTotoStatement.Subject("tiny-model", Map.of("sha256", wrong))),
        s.predicateType(), s.predicate()));
    Files.write(dir.resolve("model.sig"), bundle.toJson());
    assertThatThrownBy(() -> ModelVerifier.withKey(key.verifyingKey())
        .verify(dir, dir.resolve("model.sig"), List.of(), Progress.NONE))
        .isInstanceOfSatisfying(VerificationException.class,
            e -> assertThat(e.check()).isEqualTo(Check.ROOT_DIGEST))
        .hasMessageContaining("the subject claims sha256:" + wrong);
  }

  @Test
  void nonInTotoPayloadTypeIsRefused() throws Exception {
    SigningKey key = SigningKey.generate(Curve.P256);
    DsseEnvelope env = Dsse.sign("text/plain", "hello".getBytes(StandardCharsets.UTF_8), key);
    SigstoreBundle bundle = SigstoreBundle.of(
        new SigstoreBundle.PublicKeyHint(java.util.Optional.of(key.verifyingKey().hint())), env);
    assertThatThrownBy(() -> ModelVerifier.withKey(key.verifyingKey()).verifyStatement(bundle))
        .isInstanceOfSatisfying(VerificationException.class,
            e -> assertThat(e.check()).isEqualTo(Check.PAYLOAD_TYPE))
        .hasMessageContaining("'text/plain', expected 'application/vnd.in-toto+json'");
  }

  @Test
  void anyStatementCanBeSignedAndVerifiedLikeAModel() throws Exception {
    SigningKey key = SigningKey.generate(Curve.P384);
    ObjectNode predicate = Json.MAPPER.createObjectNode().put("bundleId", "b-1");
    InTotoStatement statement = new InTotoStatement(
        List.of(new InTotoStatement.Subject("manifest.json", Map.of("sha256", Sha256.of(new byte[0]).hex()))),
        "https://airlock.dev/bundle-manifest/v1", predicate);
    SigstoreBundle signed = new ModelSigner(key).signStatement(statement);

    VerifiedStatement verified = ModelVerifier.withKey(key.verifyingKey())
        .verifyStatement(SigstoreBundle.parse(signed.toJson()));
    assertThat(verified.statement().predicateType()).isEqualTo("https://airlock.dev/bundle-manifest/v1");
    assertThat(verified.statement().predicate().get("bundleId").asText()).isEqualTo("b-1");
  }

  @Test
  void symbolicLinksAreRefusedWhenSigning() throws Exception {
    Path dir = model();
    Files.createSymbolicLink(dir.resolve("weights.bin"), Path.of("/etc/hostname"));
    assertThatThrownBy(() -> new ModelSigner(SigningKey.generate(Curve.P256))
        .sign(dir, List.of(), Progress.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weights.bin is a symbolic link");
  }

  @Test
  void keysRoundTripThroughPkcs8AndPublicPem() {
    SigningKey key = SigningKey.generate(Curve.P384);
    String pem = key.toPkcs8Pem();
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
    SigningKey again = SigningKey.fromPem(pem, "test");
    assertThat(again.verifyingKey()).isEqualTo(key.verifyingKey());
    assertThat(VerifyingKey.fromPem(key.verifyingKey().toPem(), "test")).isEqualTo(key.verifyingKey());
    byte[] data = "data".getBytes(StandardCharsets.UTF_8);
    assertThat(key.verifyingKey().verify(data, again.sign(data))).isTrue();
  }

  @Test
  void sec1AndPkcs8KeysWithoutEmbeddedPublicKeyAreRead() throws Exception {
    SigningKey key = SigningKey.generate(Curve.P256);
    var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(
        Base64.getMimeDecoder().decode(key.toPkcs8Pem().replaceAll("-----[A-Z ]+-----", "")));
    var full = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
    var bare = new org.bouncycastle.asn1.sec.ECPrivateKey(256, full.getKey());
    byte[] pkcs8 = new org.bouncycastle.asn1.pkcs.PrivateKeyInfo(info.getPrivateKeyAlgorithm(), bare)
        .getEncoded();
    String pkcs8Pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n";
    assertThat(SigningKey.fromPem(pkcs8Pem, "bare.pem").verifyingKey()).isEqualTo(key.verifyingKey());

    var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, full.getKey(),
        full.getPublicKey(), org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1);
    String sec1Pem = "-----BEGIN EC PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(sec1.getEncoded()) + "\n-----END EC PRIVATE KEY-----\n";
    assertThat(SigningKey.fromPem(sec1Pem, "sec1.pem").verifyingKey()).isEqualTo(key.verifyingKey());
  }

  @Test
  void nonEcOrUnsupportedKeysAreRefusedWithTheReason() throws Exception {
    var rsa = java.security.KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    String rsaPem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
            rsa.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    assertThatThrownBy(() -> VerifyingKey.fromPem(rsaPem, "rsa.pem"))
        .hasMessageStartingWith("rsa.pem: expected an elliptic-curve public key");
    assertThatThrownBy(() -> VerifyingKey.fromPem("hello", "junk.pem"))
        .hasMessageContaining("junk.pem: no public key found");
  }
}
