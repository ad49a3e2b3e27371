package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.SigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code airlock policy check BUNDLE}: verified as at import, judged with its manifest's facts. */
class PolicyCheckBundleTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;
  Path bundle;
  Path publicPem;

  @BeforeEach
  void createSignedBundleOfTheQwen3Fixture() throws Exception {
    Path modelDir = Files.createDirectories(tmp.resolve("qwen3-support"));
    try (Stream<Path> files = Files.list(Path.of(PolicyCommandTest.FIXTURES, "qwen3-apache"))) {
      for (Path f : files.toList()) Files.copy(f, modelDir.resolve(f.getFileName()));
    }
    Files.writeString(modelDir.resolve("config.json"), "{\"model_type\":\"qwen3\"}");
    SigningKey key = SigningKey.generate(Curve.P256);
    Path privatePem = Files.writeString(tmp.resolve("transfer-private.pem"), key.toPkcs8Pem());
    publicPem = Files.writeString(tmp.resolve("transfer-public.pem"), key.verifyingKey().toPem());
    bundle = tmp.resolve("qwen3-support-1.0.tar");
    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "create", "--model-dir", modelDir.toString(),
        "--name", "qwen3-support", "--model-version", "1.0", "--publisher", "Example Labs",
        "--origin-country", "US", "--private-key", privatePem.toString(), "-o", bundle.toString());
    assertThat(r.exit()).as(r.err()).isZero();
  }

  @Test
  void signedBundleIsJudgedWithItsVerifiedProvenanceAndManifestOrigin() throws Exception {
    AirlockCliTest.Run r = AirlockCliTest.run("policy", "check", bundle.toString(),
        "--policy", "enterprise-default", "--trust-key", publicPem.toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = JSON.readTree(r.out());
    assertThat(j.get("verdict").asText()).isEqualTo("ALLOW");
    assertThat(j.get("subject").get("kind").asText()).isEqualTo("bundle");
    assertThat(j.get("subject").get("name").asText()).endsWith("(qwen3-support 1.0)");
    assertThat(j.get("provenance").get("transfer_signature").asText()).isEqualTo("verified");
    assertThat(j.get("provenance").get("transfer_signature_detail").asText())
        .contains("signed by transfer key 'transfer-public.pem'");
    JsonNode transfer = rule(j, "require-transfer-signature");
    assertThat(transfer.get("outcome").asText()).isEqualTo("PASS");
    assertThat(transfer.get("reason").asText()).isEqualTo("The bundle's transfer signature verified.");
    assertThat(rule(j, "review-unknown-origin").get("evidence").toString())
        .contains("bundle manifest (signed): publisher Example Labs, origin US");
    assertThat(j.get("notes").toString()).doesNotContain("bare directory");
  }

  @Test
  void strictPackAsksForThePublishersOwnSignature() throws Exception {
    AirlockCliTest.Run r = AirlockCliTest.run("policy", "check", bundle.toString(),
        "--policy", "eu-public-sector", "--trust-key", publicPem.toString(), "--json");
    assertThat(r.exit()).isEqualTo(20);
    JsonNode j = JSON.readTree(r.out());
    assertThat(j.get("deciding_rules").toString())
        .isEqualTo("[\"deny-high-risk-origin\",\"require-publisher-signature\"]");
    assertThat(rule(j, "require-publisher-signature").get("reason").asText())
        .isEqualTo("The model carries no publisher signature (model.sig).");
  }

  @Test
  void bundleSignedByAnUntrustedKeyIsRefusedNotJudged() throws Exception {
    Path other = Files.writeString(tmp.resolve("other.pem"),
        SigningKey.generate(Curve.P256).verifyingKey().toPem());
    AirlockCliTest.Run r = AirlockCliTest.run("policy", "check", bundle.toString(),
        "--policy", "enterprise-default", "--trust-key", other.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("airlock policy check: the bundle is REFUSED (")
        .contains("the vault would not import it, so it is not judged.");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void bundleWithoutTrustedKeysIsBadInput() {
    AirlockCliTest.Run r = AirlockCliTest.run("policy", "check", bundle.toString(), "--policy", "enterprise-default");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("airlock policy check: " + bundle + " is a bundle; its transfer"
        + " signature must be verified first: give --trust-key PEM or --data-dir DIR (with a"
        + " transfer key in its trust store, see 'airlock trust add --role transfer').\n");
  }

  @Test
  void bundleManifestStatesOriginSoOverridesAreRefused() {
    AirlockCliTest.Run r = AirlockCliTest.run("policy", "check", bundle.toString(), "--policy",
        "enterprise-default", "--trust-key", publicPem.toString(), "--origin-country", "FR");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("a bundle's signed manifest states its publisher and origin");
  }

  @Test
  void noStagedCopyIsLeftBehind() throws Exception {
    Path tmpRoot = Path.of(System.getProperty("java.io.tmpdir"));
    long before = staged(tmpRoot);
    AirlockCliTest.run("policy", "check", bundle.toString(), "--policy", "enterprise-default",
        "--trust-key", publicPem.toString());
    assertThat(staged(tmpRoot)).isEqualTo(before);
  }

  static long staged(Path root) throws Exception {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith("airlock-policy-check-")).count();
    }
  }

  static JsonNode rule(JsonNode j, String id) {
    for (JsonNode r : j.get("rules")) if (r.get("id").asText().equals(id)) return r;
    throw new AssertionError("no rule " + id + " in " + j);
  }
}
