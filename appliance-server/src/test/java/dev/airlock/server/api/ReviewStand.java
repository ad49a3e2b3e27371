package dev.airlock.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.server.apps.BundleController;
import dev.airlock.server.auth.Role;
import dev.airlock.server.changes.People;
import dev.airlock.server.gateway.TestAppliance;
import dev.airlock.vault.Progress;
import dev.airlock.vault.bundle.BundleWriter;
import dev.airlock.vault.metadata.TinyLlamaModel;
import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.SigningKey;
import dev.airlock.vault.trust.TrustRole;
import dev.airlock.vault.trust.TrustStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A running appliance for review tests: a trusted transfer key, console users with known
 * passwords, and real signed bundles of the Qwen3 Apache-2.0 fixture (a tiny GGUF model)
 * uploaded through {@code POST /admin/bundles}, which reviews them at once.
 */
public final class ReviewStand implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();
  public static final Path FIXTURES = Path.of("../license-audit/src/test/resources/fixtures/models");
  public static final Path QWEN3_APACHE = FIXTURES.resolve("qwen3-apache");

  public final TestAppliance app;
  private final Path dir;
  private final SigningKey transferKey;

  private ReviewStand(Path dir, TestAppliance app, SigningKey transferKey) {
    this.dir = dir;
    this.app = app;
    this.transferKey = transferKey;
  }

  public static ReviewStand start(Path dir) throws Exception {
    SigningKey key = SigningKey.generate(Curve.P256);
    TrustStore.open(dir.resolve("data"), Clock.systemUTC()).addKey("org-transfer", TrustRole.TRANSFER,
        key.verifyingKey().publicKey(), Optional.empty(), Optional.empty());
    return new ReviewStand(dir, TestAppliance.start(dir, List.of(), Map.of()), key);
  }

  /** People and requests on an appliance started elsewhere (with its own allowlist); closing closes it. */
  public static ReviewStand on(TestAppliance app) {
    return new ReviewStand(app.server.getApplicationContext().getBean(dev.airlock.server.ApplianceConfig.class)
        .getDataDir().getParent(), app, SigningKey.generate(Curve.P256));
  }

  public static String password(String username) {
    return "passphrase-of-" + username;
  }

  /**
   * A console user with the roles, its one-time password already changed to {@link #password}.
   * DPOs and AUDITORs are made as on the appliance: proposed by an ADMIN, confirmed by a DPO.
   */
  public void user(String username, Set<Role> roles) {
    People.withPassword(app.server.getApplicationContext(), username, username.toUpperCase(),
        roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles), password(username));
  }

  /**
   * Makes an ADMIN a DPO instead, over the admin API: {@code admin} sets the roles to DPO (ADMIN
   * goes at once, DPO waits) and {@code dpo} confirms. The user's sessions end; sign in again.
   */
  public void becomeDpo(String username, String admin, String dpo) throws Exception {
    HttpResponse<String> proposed = send("PUT", "/admin/users/" + username + "/roles", Optional.of(token(admin)),
        "{\"roles\":[\"DPO\"]}");
    if (proposed.statusCode() != 202) throw new AssertionError("not proposed: " + proposed.body());
    String id = JSON.readTree(proposed.body()).path("change").path("id").asText();
    HttpResponse<String> confirmed = send("POST", "/admin/changes/" + id + "/confirm", Optional.of(token(dpo)), null);
    if (confirmed.statusCode() != 200) throw new AssertionError("not confirmed: " + confirmed.body());
  }

  /** A session token for the user, from {@code POST /admin/session}. */
  public String token(String username) throws Exception {
    HttpResponse<String> r = send("POST", "/admin/session", Optional.empty(),
        JSON.writeValueAsString(Map.of("username", username, "password", password(username))));
    if (r.statusCode() != 200 && r.statusCode() != 201) throw new AssertionError("sign-in failed: " + r.body());
    return JSON.readTree(r.body()).get("token").asText();
  }

  /** Uploads a signed bundle of the Apache-2.0 fixture as the token's holder; returns the import answer. */
  public JsonNode importModel(String name, String originCountry, String token) throws Exception {
    return importModel(name, originCountry, token, QWEN3_APACHE);
  }

  /** Uploads a signed bundle of a license-audit fixture (plus config.json and a tiny GGUF model). */
  public JsonNode importModel(String name, String originCountry, String token, Path fixture) throws Exception {
    Path model = Files.createDirectories(dir.resolve("model-" + name + "-" + System.nanoTime()));
    try (Stream<Path> files = Files.list(fixture)) {
      for (Path f : files.toList()) Files.copy(f, model.resolve(f.getFileName()));
    }
    Files.writeString(model.resolve("config.json"), "{\"model_type\":\"qwen3\"}");
    TinyLlamaModel.DEFAULT.writeTo(model.resolve("model.gguf"));
    Path tar = dir.resolve(name + "-" + System.nanoTime() + ".tar");
    try (OutputStream o = Files.newOutputStream(tar)) {
      BundleWriter.write(model, Optional.empty(), new BundleWriter.Description(name, "1.0", "Example Labs",
          originCountry, Optional.empty()), transferKey, Clock.systemUTC(), o, Progress.NONE);
    }
    HttpResponse<String> r = app.http.send(HttpRequest.newBuilder(app.url("/admin/bundles"))
        .header("content-type", BundleController.TAR).header("authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofFile(tar)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) throw new AssertionError("import failed: " + r.body());
    return JSON.readTree(r.body());
  }

  public HttpResponse<String> send(String method, String path, Optional<String> token, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(app.url(path)).header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    token.ifPresent(t -> b.header("authorization", "Bearer " + t));
    return app.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public List<ObjectNode> records(String type) throws IOException {
    return app.auditRecords().stream().filter(r -> r.get("type").asText().equals(type)).toList();
  }

  @Override
  public void close() {
    app.close();
  }
}
