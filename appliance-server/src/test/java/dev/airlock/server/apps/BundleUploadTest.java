package dev.airlock.server.apps;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.server.gateway.TestAppliance;
import dev.airlock.vault.Progress;
import dev.airlock.vault.Vault;
import dev.airlock.vault.bundle.BundleWriter;
import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.SigningKey;
import dev.airlock.vault.trust.TrustRole;
import dev.airlock.vault.trust.TrustStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /admin/bundles}: a bundle streamed to the running server, re-verified and audited. */
class BundleUploadTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Large enough that the body arrives in many chunks, small enough for a quick test. */
  private static final int WEIGHTS_BYTES = 3 << 20;

  @TempDir Path dir;
  private TestAppliance appliance;
  private SigningKey transferKey;

  @BeforeEach
  void start() throws Exception {
    transferKey = SigningKey.generate(Curve.P256);
    TrustStore.open(dir.resolve("data"), Clock.systemUTC()).addKey("org-transfer", TrustRole.TRANSFER,
        transferKey.verifyingKey().publicKey(), Optional.empty(), Optional.empty());
    appliance = TestAppliance.start(dir, List.of(), Map.of());
  }

  @AfterEach
  void stop() {
    if (appliance != null) appliance.close();
  }

  private Path bundle(String name, String version, SigningKey key) throws IOException {
    Path model = Files.createDirectories(dir.resolve("model-" + name + "-" + version));
    Files.writeString(model.resolve("config.json"), "{\"model_type\":\"llama\"}");
    byte[] weights = new byte[WEIGHTS_BYTES];
    new Random(42).nextBytes(weights);
    Files.write(model.resolve("weights.bin.part"), weights);
    Path out = dir.resolve(name + "-" + version + "-" + System.nanoTime() + ".tar");
    try (OutputStream o = Files.newOutputStream(out)) {
      BundleWriter.write(model, Optional.empty(), new BundleWriter.Description(name, version, "Example Labs", "FR",
          Optional.empty()), key, Clock.systemUTC(), o, Progress.NONE);
    }
    return out;
  }

  private HttpResponse<String> upload(Path tar, Optional<String> token) throws Exception {
    return upload(appliance.http, tar, token);
  }

  private HttpResponse<String> upload(java.net.http.HttpClient client, Path tar, Optional<String> token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(appliance.url("/admin/bundles"))
        .header("content-type", BundleController.TAR).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofFile(tar));
    token.ifPresent(t -> b.header("authorization", "Bearer " + t));
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private Vault vault() {
    return appliance.server.getApplicationContext().getBean(Vault.class);
  }

  private List<ObjectNode> records(String type) throws IOException {
    return appliance.auditRecords().stream().filter(r -> r.get("type").asText().equals(type)).toList();
  }

  @Test
  void importsAStreamedBundleAndAuditsIt() throws Exception {
    Path tar = bundle("tiny", "1.0", transferKey);
    HttpResponse<String> r = upload(tar, Optional.of(TestAppliance.OPERATOR_TOKEN));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("outcome").asText()).isEqualTo("imported");
    assertThat(body.get("model").asText()).isEqualTo("tiny");
    assertThat(body.get("version").asText()).isEqualTo("1.0");
    assertThat(body.get("state").asText()).isEqualTo("IMPORTED");
    assertThat(body.get("files").asInt()).isEqualTo(2);
    assertThat(body.get("newBlobs").asInt()).isEqualTo(2);
    assertThat(body.get("transferSigner").asText()).isEqualTo("org-transfer");

    var row = vault().catalog().find("tiny", "1.0").orElseThrow();
    assertThat(row.provenance().bundleId()).isEqualTo(body.get("bundleId").asText());
    assertThat(row.provenance().importer()).isEqualTo("operator-token");
    assertThat(vault().catalog().files(row.id())).hasSize(2);

    ObjectNode imported = records("admin.bundle.import").getFirst();
    assertThat(imported.get("actor").asText()).isEqualTo("system:operator-token");
    assertThat(imported.at("/payload/bundleId").asText()).isEqualTo(row.provenance().bundleId());
    assertThat(imported.at("/payload/versionId").asText()).isEqualTo(row.id());
    ObjectNode lifecycle = records("model.lifecycle").getFirst();
    assertThat(lifecycle.at("/payload/catalogVersionId").asText()).isEqualTo(row.id());
    assertThat(lifecycle.at("/payload/to").asText()).isEqualTo("IMPORTED");
    assertThat(lifecycle.at("/payload/from").isNull()).as("an import has no from state").isTrue();

    // The import is reviewed at once: no license file, so a person must look (REVIEW).
    JsonNode review = body.get("review");
    assertThat(review.get("outcome").asText()).isEqualTo("reviewed");
    assertThat(body.get("verdict").asText()).isEqualTo("REVIEW");
    assertThat(review.get("verdict").asText()).isEqualTo("REVIEW");
    assertThat(review.get("policy").asText()).isEqualTo("enterprise-default");
    assertThat(review.get("requiredApprovals").asInt()).isEqualTo(2);
    assertThat(review.get("state").asText()).isEqualTo("UNDER_REVIEW");
    assertThat(vault().catalog().find(row.id()).orElseThrow().state().name()).isEqualTo("UNDER_REVIEW");
    ObjectNode reviewed = records("model.reviewed").getFirst();
    assertThat(reviewed.get("actor").asText()).isEqualTo("system:operator-token");
    assertThat(reviewed.at("/payload/verdict").asText()).isEqualTo("REVIEW");
    assertThat(reviewed.at("/payload/versionId").asText()).isEqualTo(row.id());
  }

  @Test
  void importingTheSameBundleAgainChangesNothing() throws Exception {
    Path tar = bundle("tiny", "1.0", transferKey);
    assertThat(upload(tar, Optional.of(TestAppliance.OPERATOR_TOKEN)).statusCode()).isEqualTo(201);
    int lifecycleEvents = records("model.lifecycle").size();

    HttpResponse<String> again = upload(tar, Optional.of(TestAppliance.OPERATOR_TOKEN));

    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(again.body());
    assertThat(body.get("outcome").asText()).isEqualTo("already_present");
    assertThat(body.get("message").asText()).startsWith("Already in the vault: tiny 1.0").endsWith("nothing changed");
    assertThat(body.get("newBlobs").asInt()).isZero();
    assertThat(vault().catalog().list()).hasSize(1);
    assertThat(records("admin.bundle.import")).hasSize(2);
    assertThat(records("admin.bundle.import").get(1).at("/payload/outcome").asText()).isEqualTo("already_present");
    assertThat(records("model.lifecycle")).hasSize(lifecycleEvents);
    assertThat(body.has("review")).as("a version already reviewed is not reviewed again").isFalse();
    assertThat(records("model.reviewed")).hasSize(1);
  }

  @Test
  void refusesATamperedBundleWithTheVaultsReasonAndKeepsNothing() throws Exception {
    Path tar = bundle("tiny", "1.0", transferKey);
    byte[] bytes = Files.readAllBytes(tar);
    bytes[bytes.length / 2] ^= 0x01; // inside the weights: the manifest and its signature stay valid
    Path tampered = Files.write(dir.resolve("tampered.tar"), bytes);

    HttpResponse<String> r = upload(tampered, Optional.of(TestAppliance.OPERATOR_TOKEN));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertThat(error.get("code").asText()).isEqualTo("bundle_content_mismatch");
    assertThat(error.get("message").asText()).contains("'model/weights.bin.part' has SHA-256")
        .contains("the file was altered or damaged. Ask for a fresh copy.");
    assertNothingKept();
    ObjectNode refused = records("admin.bundle.refused").getFirst();
    assertThat(refused.at("/payload/code").asText()).isEqualTo("bundle_content_mismatch");
    assertThat(refused.at("/payload/reason").asText()).isEqualTo(error.get("message").asText());
  }

  @Test
  void refusesABundleSignedByAnUntrustedKey() throws Exception {
    Path tar = bundle("tiny", "1.0", SigningKey.generate(Curve.P256));

    HttpResponse<String> r = upload(tar, Optional.of(TestAppliance.OPERATOR_TOKEN));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertThat(error.get("code").asText()).isEqualTo("bundle_signer_untrusted");
    assertThat(error.get("message").asText()).contains("airlock trust add --role transfer");
    assertNothingKept();
  }

  @Test
  void refusesMissingWrongAndAppCredentialsBeforeReadingTheBundle() throws Exception {
    Path tar = bundle("tiny", "1.0", transferKey);

    // One client per upload, as the CLI does: the refusal closes the connection (its body may be
    // unread), and a pooled client may not notice before it reuses the connection.
    HttpResponse<String> none = upload(java.net.http.HttpClient.newHttpClient(), tar, Optional.empty());
    HttpResponse<String> wrong = upload(java.net.http.HttpClient.newHttpClient(), tar, Optional.of("not-the-token"));
    JsonNode app = appliance.createApp("importer", List.of(), Map.of());
    HttpResponse<String> appKey = upload(java.net.http.HttpClient.newHttpClient(), tar,
        Optional.of(app.at("/key/secret").asText()));

    // a refused body of this size is read and dropped, and the connection stays usable
    assertThat(none.headers().firstValue("connection")).isEmpty();
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(none.body()).at("/error/message").asText()).contains("Authorization: Bearer <token>");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(wrong.body()).at("/error/message").asText()).isEqualTo("The operator token is not valid.");
    assertThat(appKey.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(appKey.body()).at("/error/message").asText()).contains("App API keys only reach /v1");
    assertNothingKept();
    assertThat(records("admin.bundle.import")).isEmpty();
  }

  @Test
  void aWrongTokenIsAnsweredEvenWhileALargeBodyIsStillBeingSent() throws Exception {
    Path large = dir.resolve("large.tar");
    try (var ch = java.nio.channels.FileChannel.open(large, java.nio.file.StandardOpenOption.CREATE_NEW,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), (256L << 20) - 1); // 256 MiB, sparse
    }
    HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(appliance.url("/admin/bundles")).header("content-type", BundleController.TAR)
            .header("authorization", "Bearer not-the-token").timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofFile(large)).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(r.body()).at("/error/message").asText()).isEqualTo("The operator token is not valid.");
    assertNothingKept();
  }

  @Test
  void aRefusedBodyTooLargeToDrainIsCutOff() throws Exception {
    long declared = dev.airlock.server.console.AccessFilter.DRAIN_LIMIT + 1;
    try (Socket s = new Socket("127.0.0.1", appliance.server.getPort())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(("POST /admin/bundles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-tar\r\n"
          + "Authorization: Bearer not-the-token\r\nContent-Length: " + declared + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close")
          .contains("The operator token is not valid.");
    }
    assertNothingKept();
  }

  @Test
  void anUploadCutShortLeavesNothing() throws Exception {
    Path tar = bundle("tiny", "1.0", transferKey);
    byte[] bytes = Files.readAllBytes(tar);
    int sent = bytes.length / 2;
    try (Socket s = new Socket("127.0.0.1", appliance.server.getPort())) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /admin/bundles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-tar\r\n"
          + "Authorization: Bearer " + TestAppliance.OPERATOR_TOKEN + "\r\nContent-Length: " + bytes.length
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes, 0, sent);
      out.flush();
    } // the connection drops with half the declared body sent

    ObjectNode refused = awaitRecord("admin.bundle.refused");
    assertThat(refused.at("/payload/bytesReceived").asLong()).isBetween(1L, (long) sent);
    assertNothingKept();
    // and the vault still takes the whole bundle afterwards
    assertThat(upload(tar, Optional.of(TestAppliance.OPERATOR_TOKEN)).statusCode()).isEqualTo(201);
  }

  private ObjectNode awaitRecord(String type) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      List<ObjectNode> found = records(type);
      if (!found.isEmpty()) return found.getFirst();
      Thread.sleep(50);
    }
    throw new AssertionError("no " + type + " record within 30 s; records: " + appliance.auditRecords());
  }

  private void assertNothingKept() throws Exception {
    assertThat(vault().catalog().list()).isEmpty();
    assertThat(vault().catalog().blobs()).isEmpty();
    Path vaultDir = dir.resolve("data").resolve(Vault.DIRECTORY);
    try (var files = Files.walk(vaultDir)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> vaultDir.relativize(p).toString()).toList())
          .as("files left in the vault").containsExactly(".lock");
    }
  }
}
