package dev.airlock.server.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditRecord;
import dev.airlock.server.backend.BackendSupervisor;
import dev.airlock.server.backend.Replica;
import dev.airlock.server.backend.StandIn;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import dev.airlock.server.intake.ExternalServers;
import dev.airlock.server.review.ModelReviews;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.Catalog;
import dev.airlock.vault.catalog.CatalogFile;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.Provenance;
import dev.airlock.vault.catalog.PublisherSignature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A running Airlock server for tests: temp data directory, the vLLM stand-in as its vllm, an operator token. */
public final class TestAppliance implements AutoCloseable {
  public static final String OPERATOR_TOKEN = "operator-test-token";
  static final ObjectMapper JSON = new ObjectMapper();

  public final EmbeddedServer server;
  public final StandIn standIn;
  public final HttpClient http = HttpClient.newHttpClient();

  private TestAppliance(EmbeddedServer server, StandIn standIn) {
    this.server = server;
    this.standIn = standIn;
  }

  public static TestAppliance start(Path dir, List<Integer> externalPorts, Map<String, Object> extra) throws IOException {
    StandIn standIn = StandIn.install(dir.resolve("standin"));
    Map<String, Object> props = new HashMap<>();
    props.put("airlock.data-dir", dir.resolve("data").toString());
    props.put("micronaut.server.port", -1);
    props.put("airlock.gateway.operator-token", OPERATOR_TOKEN);
    props.put("airlock.gateway.vllm-executable", standIn.executable().toString());
    props.put("airlock.gateway.external-allowlist", externalPorts.stream().map(p -> "127.0.0.1:" + p).toList());
    props.put("airlock.gateway.health-interval", "200ms");
    props.put("airlock.gateway.restart-backoff", "100ms");
    props.put("airlock.gateway.startup-timeout", "60s");
    props.put("airlock.gateway.first-backend-port", freePort());
    // The review intake runs when a test calls it, not in the middle of one's audit-record counts.
    props.put("airlock.review.intake-delay", "1h");
    props.putAll(extra);
    return new TestAppliance(ApplicationContext.run(EmbeddedServer.class, props), standIn);
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public URI url(String path) {
    return URI.create(server.getURL() + path);
  }

  /** Calls the operator API and returns the status and JSON body. */
  public Answer admin(String method, String path, Object body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(url(path)).header("authorization", "Bearer " + OPERATOR_TOKEN)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body()), r);
  }

  public record Answer(int status, JsonNode body, HttpResponse<String> raw) {}

  /** Creates an app and returns its JSON, including the one-time key under "key". */
  public JsonNode createApp(String name, List<String> grants, Map<String, Object> limits) throws Exception {
    Map<String, Object> spec = new HashMap<>(limits);
    spec.put("name", name);
    spec.put("grants", grants);
    Answer a = admin("POST", "/admin/apps", spec);
    if (a.status() != 201) throw new IllegalStateException("app not created: " + a.body());
    return a.body();
  }

  /**
   * Puts the files of {@code modelDir} into the vault as a new version of {@code name} and leaves it
   * APPROVED, as two DPOs would: the gateway's tests are not about reviews (ReviewsApiTest and
   * InsiderTest are). Returns the catalog version id.
   */
  public String approvedVersion(String name, Path modelDir) throws Exception {
    Vault vault = bean(Vault.class);
    Map<String, byte[]> files = new java.util.TreeMap<>();
    try (var walk = Files.walk(modelDir)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) {
        files.put(modelDir.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
      }
    }
    // A version has model files: an empty test directory stands for a model with just its config.
    if (files.isEmpty()) files.put("config.json", "{\"model_type\":\"llama\"}".getBytes(StandardCharsets.UTF_8));
    List<CatalogFile> stored = vault.storeFiles(files);
    Instant now = Instant.now();
    String bundleId = "test-" + UUID.randomUUID();
    Provenance p = new Provenance("Example Labs", "FR", Optional.empty(), bundleId,
        Sha256.of(bundleId.getBytes(StandardCharsets.UTF_8)).hex(), now, "org-transfer", "aa",
        PublisherSignature.absent(), now, "user:ops");
    String id = vault.catalog().recordImport(new Catalog.NewVersion(name, bundleId, stored.stream()
        .mapToLong(CatalogFile::size).sum(), p, stored, Optional.empty())).versionId();
    vault.catalog().transition(id, LifecycleState.UNDER_REVIEW, "airlock-intake", Optional.of("test fixture"));
    vault.catalog().transition(id, LifecycleState.APPROVED, "dpo-two", Optional.of("approved by dpo-one, dpo-two"));
    return id;
  }

  /** An approved version of {@code modelDir} activated on the vLLM stand-in; returns the catalog version id. */
  public String activateVllm(String modelId, Path modelDir, int replicas, List<String> extraArgs) throws Exception {
    String versionId = approvedVersion(modelId, modelDir);
    Answer a = admin("PUT", "/admin/models/" + modelId,
        Map.of("backend", "vllm", "catalogVersionId", versionId, "replicas", replicas, "extraArgs", extraArgs));
    if (a.status() != 200) throw new IllegalStateException("not activated: " + a.body());
    return versionId;
  }

  /**
   * Registers the server at {@code port} as an external catalog entry answering as {@code modelId},
   * lets the DPOs the policy asks for approve its review, and activates it; returns the version id.
   */
  public String activateExternal(String modelId, int port) throws Exception {
    ExternalServers.Registered r = bean(ExternalServers.class).register(new ExternalServers.Registration(modelId,
        "test-" + UUID.randomUUID(), modelId, List.of("http://127.0.0.1:" + port), "Example Labs", "FR", null,
        "Apache-2.0", null, null), "user:ops");
    String versionId = r.version().id();
    ModelReviews reviews = bean(ModelReviews.class);
    int required = r.review().orElseThrow(() -> new IllegalStateException("not reviewed: " + r.reviewProblem()))
        .requiredApprovals();
    for (int i = 1; i <= required; i++) {
      reviews.approve(versionId, "dpo-" + i, "license and provenance reviewed for the test");
    }
    Answer a = admin("PUT", "/admin/models/" + modelId, Map.of("catalogVersionId", versionId));
    if (a.status() != 200) throw new IllegalStateException("not activated: " + a.body());
    return versionId;
  }

  public <T> T bean(Class<T> type) {
    return server.getApplicationContext().getBean(type);
  }

  public void alias(String alias, String modelId) throws Exception {
    Answer a = admin("PUT", "/admin/aliases/" + alias, Map.of("model", modelId));
    if (a.status() != 200) throw new IllegalStateException("alias not set: " + a.body());
  }

  public BackendSupervisor supervisor() {
    return server.getApplicationContext().getBean(BackendSupervisor.class);
  }

  /** Waits until every replica of the model is healthy. */
  public void awaitHealthy(String modelId, int replicas) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      List<Replica> list = supervisor().replicas().getOrDefault(modelId, List.of());
      if (list.size() == replicas && list.stream().allMatch(Replica::healthy)) return;
      Thread.sleep(50);
    }
    throw new IllegalStateException(modelId + " not healthy: " + supervisor().replicas().get(modelId));
  }

  /** Waits (up to two minutes: engines start slowly on a busy machine) until the condition holds. */
  public static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    Duration wait = Duration.ofSeconds(120);
    long deadline = System.nanoTime() + wait.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) throw new AssertionError(what + ": not within " + wait);
      Thread.sleep(50);
    }
  }

  public AuditLog auditLog() {
    return server.getApplicationContext().getBean(AuditLog.class);
  }

  /**
   * Every record in the audit log, decrypted, as JSON for assertions: type, actor, subject, model,
   * requestId, status, the index fields under "fields" and the payload (parsed) under "payload".
   */
  public List<ObjectNode> auditRecords() throws IOException {
    AuditLog log = auditLog();
    List<ObjectNode> out = new java.util.ArrayList<>();
    for (long i = 0; i < log.size(); i++) {
      AuditRecord r = log.decrypt(i).orElseThrow();
      ObjectNode n = JSON.createObjectNode();
      n.put("index", i);
      n.put("type", r.type());
      n.put("actor", r.actor().kind().name().toLowerCase(java.util.Locale.ROOT) + ":" + r.actor().id());
      r.subject().ifPresent(v -> n.put("subject", v));
      r.model().ifPresent(v -> n.put("model", v));
      r.requestId().ifPresent(v -> n.put("requestId", v));
      n.put("status", r.status());
      n.set("fields", JSON.valueToTree(r.indexFields()));
      n.set("payload", r.payload().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.payload()));
      out.add(n);
    }
    return out;
  }

  /** Records appended after the first {@code from} ones. */
  public List<ObjectNode> auditRecordsSince(int from) throws IOException {
    List<ObjectNode> all = auditRecords();
    return all.subList(from, all.size());
  }

  public int auditCount() throws IOException {
    return auditRecords().size();
  }

  /** Stops the server (which stops the backends it supervises) and every external stand-in, even if the first fails. */
  @Override
  public void close() {
    try {
      server.close();
    } finally {
      standIn.stopExternals();
    }
  }
}
