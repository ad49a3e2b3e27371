package dev.airlock.server.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.audit.AuditKeys;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogReader;
import dev.airlock.audit.VerificationReport;
import dev.airlock.audit.note.NoteFormatException;
import dev.airlock.audit.note.NoteVerifier;
import dev.airlock.server.auth.Users;
import dev.airlock.vault.Progress;
import dev.airlock.vault.bundle.BundleManifest;
import dev.airlock.vault.bundle.BundleWriter;
import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.ModelSignature;
import dev.airlock.vault.signing.ModelSigner;
import dev.airlock.vault.signing.KeyFiles;
import dev.airlock.vault.signing.SigningKey;
import dev.airlock.vault.trust.TrustRole;
import dev.airlock.vault.trust.TrustStore;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The demo's steps, in the order a real installation takes them. The connected side (keys, the
 * model, its card and AI-BOM, the publisher's signature, the bundle) calls the same library
 * classes as {@code airlock keys generate}, {@code model sign} and {@code bundle create}; the
 * appliance's trust store is filled as {@code airlock trust add} fills it. Then the server starts
 * in this process and everything else goes over HTTP, as a client would do it: accounts, the
 * import with its automatic license audit and policy verdict, two DPO approvals, activation on
 * the embedded engine, an app key, one audited chat completion. Last, the audit log is verified
 * offline with its verifier key, as {@code airlock audit verify} does.
 */
public final class DemoRun {
  public static final String ALIAS = "chat-default";
  public static final String APP_NAME = "demo-app";
  /** Marks a data directory the demo made, so starting over never deletes anything else. */
  static final String MARKER = ".airlock-demo";
  static final String APP_KEY_FILE = "app-key";
  static final String LOGINS_FILE = "logins.txt";
  static final String VERIFIER_KEY_FILE = "log.vkey";
  /** The audit log's name in its checkpoints: the server's default (airlock.audit.origin). */
  static final String AUDIT_ORIGIN = "airlock.local/audit";
  static final int STEPS = 14;
  /** How long the engine may take to load the model and answer its health check. */
  private static final Duration ENGINE_START_LIMIT = Duration.ofSeconds(120);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  /** The demo could not run; the message says why and what to do. */
  public static final class Failed extends RuntimeException {
    public Failed(String message) {
      super(message);
    }
  }

  /** One account the demo made, as written to logins.txt. */
  public record Login(String role, String username, String password) {}

  /** What the demo left running and where. */
  public record Summary(URI url, List<Login> logins, String appKey, String verifierKey, String modelId,
                        String versionId, String answer, long auditEntries, double serverReadySeconds,
                        double engineReadySeconds) {}

  /** The serving appliance; closing it stops the server and the engine. */
  public static final class Running implements AutoCloseable {
    private final EmbeddedServer server;
    private final Summary summary;

    Running(EmbeddedServer server, Summary summary) {
      this.server = server;
      this.summary = summary;
    }

    public Summary summary() {
      return summary;
    }

    public ApplicationContext context() {
      return server.getApplicationContext();
    }

    @Override
    public synchronized void close() {
      if (server.getApplicationContext().isRunning()) server.getApplicationContext().close();
    }
  }

  private final Demo.Options options;
  private final Path dataDir;
  private final Narrator n;
  private final SecureRandom random = new SecureRandom();
  private EmbeddedServer server;

  private DemoRun(Demo.Options options, PrintStream out, boolean terminal) {
    this.options = options;
    this.dataDir = options.dataDir().toAbsolutePath().normalize();
    this.n = new Narrator(out, STEPS, terminal);
  }

  /** Runs every step and returns the serving appliance; on failure nothing is left running. */
  public static Running start(Demo.Options options, PrintStream out, boolean terminal) {
    DemoRun run = new DemoRun(options, out, terminal);
    try {
      return run.run();
    } catch (Failed e) {
      run.abort();
      throw e;
    } catch (RuntimeException | IOException e) {
      run.abort();
      throw new Failed(rootMessage(e));
    }
  }

  private void abort() {
    n.failed();
    if (server != null) server.getApplicationContext().close();
  }

  private Running run() throws IOException {
    n.say("Airlock demo: a signed model carried into the appliance, checked, approved, served and audited.");
    n.say("");

    n.begin("Starting over in " + dataDir);
    Demo.requireFreePort(options.port());
    startOver();
    n.done("Started over in " + relative(dataDir) + "; port " + options.port() + " is free");

    n.begin("Creating keys");
    Path keys = dataDir.resolve("connected-side").resolve("keys");
    SigningKey transfer = newKey(keys.resolve("transfer"));
    SigningKey publisher = newKey(keys.resolve("publisher"));
    AuditKeys auditKeys = AuditKeys.loadOrGenerate(dataDir.resolve("secrets").resolve("audit.keys"), AUDIT_ORIGIN);
    String verifierKey = auditKeys.verifierKey();
    writeSecret(dataDir.resolve(VERIFIER_KEY_FILE), verifierKey + "\n");
    n.done("Created the transfer, publisher and audit log keys");
    n.detail("transfer and publisher: ECDSA P-256, in connected-side/keys; audit log: Ed25519, in secrets/audit.keys");

    n.begin("Generating the model");
    Path modelDir = dataDir.resolve("connected-side").resolve(DemoModel.NAME);
    Path aiBom = DemoModel.writeTo(modelDir, Clock.systemUTC().instant());
    n.done("Generated the tiny model, its model card and its AI-BOM");
    n.detail("model card: license apache-2.0; AI-BOM: SPDX 3.0.1 JSON-LD, ai_AIPackage under Apache-2.0");

    n.begin("Signing the model");
    ModelSigner signer = new ModelSigner(publisher);
    signer.sign(signer.manifest(modelDir, List.of(), progress()))
        .write(modelDir.resolve(ModelSignature.DEFAULT_FILE_NAME));
    n.done("Signed the model (OpenSSF Model Signing, ECDSA P-256)");

    n.begin("Bundling");
    Path bundle = dataDir.resolve("connected-side").resolve(DemoModel.NAME + "-" + DemoModel.VERSION + ".tar");
    BundleManifest manifest;
    try (OutputStream o = Files.newOutputStream(bundle)) {
      manifest = BundleWriter.write(modelDir, Optional.of(aiBom), new BundleWriter.Description(DemoModel.NAME,
          DemoModel.VERSION, DemoModel.PUBLISHER, DemoModel.ORIGIN_COUNTRY, Optional.empty()), transfer,
          Clock.systemUTC(), o, progress());
    }
    n.done("Bundled it, signed with the transfer key");
    n.detail(manifest.files().size() + " files, " + mib(Files.size(bundle)) + ": " + relative(bundle));

    n.begin("Trusting the keys");
    TrustStore trust = TrustStore.open(dataDir, Clock.systemUTC());
    trust.addKey("demo-transfer", TrustRole.TRANSFER, transfer.verifyingKey().publicKey(), Optional.empty(), Optional.empty());
    trust.addKey("demo-publisher", TrustRole.PUBLISHER, publisher.verifyingKey().publicKey(), Optional.empty(), Optional.empty());
    n.done("Trusted the transfer and publisher keys (appliance side)");

    n.begin("Starting the server");
    long serverStart = System.nanoTime();
    server = startServer();
    DemoClient http = new DemoClient(URI.create("http://127.0.0.1:" + server.getPort()));
    awaitReady(http);
    double serverReady = seconds(serverStart);
    n.done("Started the server on " + http.base());

    n.begin("Creating the accounts");
    List<Login> logins = new ArrayList<>();
    // The first accounts, made as 'airlock admin bootstrap --dpo ... --auditor ...' makes them on the
    // appliance's own shell: later DPOs and AUDITORs are proposed by an ADMIN and confirmed by a DPO.
    Users users = server.getApplicationContext().getBean(Users.class);
    List<Users.Created> made = users.bootstrap(new Users.FirstAccounts(Optional.of("admin"), List.of("dpo-1", "dpo-2"),
        List.of("auditor")), "airlock-demo");
    String adminToken = null;
    Map<String, String> dpoTokens = new HashMap<>();
    for (Users.Created c : made) {
      String role = String.join(",", Users.roleNames(c.user().roles()));
      String token = choosePassword(http, logins, role, c.user().username(), c.oneTimePassword());
      if (role.equals("ADMIN")) adminToken = token;
      if (role.equals("DPO")) dpoTokens.put(c.user().username(), token);
    }
    writeSecret(dataDir.resolve(LOGINS_FILE), logins.stream()
        .map(l -> l.role() + " " + l.username() + " " + l.password() + "\n").reduce("", String::concat));
    n.done("Created admin, two DPOs, auditor; passwords generated");

    n.begin("Importing the bundle");
    long size = Files.size(bundle);
    JsonNode imported = http.upload(bundle, adminToken, sent -> n.progress(percent(sent, size)));
    String versionId = imported.path("versionId").asText();
    JsonNode review = imported.path("review");
    String verdict = review.path("verdict").asText("none");
    if (!review.path("outcome").asText().equals("reviewed")) {
      throw new Failed("the import was not reviewed: " + review.path("message").asText(review.toString()));
    }
    JsonNode detail = http.expect(200, "GET", "/admin/reviews/" + versionId, dpoTokens.get("dpo-1"), null);
    List<String> licenses = new ArrayList<>();
    for (JsonNode l : detail.path("review").path("licenseReport").path("effective_licenses")) {
      licenses.add(l.path("id").asText() + " (" + l.path("category").asText() + ")");
    }
    n.done("Imported the bundle: signatures and every byte verified");
    n.detail("transfer signature by " + imported.path("transferSigner").asText() + ", publisher signature "
        + imported.path("publisherSignature").path("status").asText());
    n.detail("license audit: " + (licenses.isEmpty() ? "no license found" : String.join(", ", licenses)));
    n.detail("policy " + review.path("policy").asText() + " (version " + review.path("policyVersion").asText()
        + "): " + verdict + ", " + review.path("requiredApprovals").asInt() + " DPO approvals required");
    if (verdict.equals("DENY")) throw new Failed("the policy denied the demo model: " + review);

    n.begin("Approving as both DPOs");
    JsonNode decision = null;
    for (Map.Entry<String, String> dpo : new java.util.TreeMap<>(dpoTokens).entrySet()) {
      decision = http.expect(200, "POST", "/admin/reviews/" + versionId + "/approve", dpo.getValue(),
          Map.of("justification", "Demo: Apache-2.0 licensed, signed by a trusted publisher, verdict " + verdict
              + "; approved by " + dpo.getKey() + "."));
    }
    String state = decision == null ? "?" : decision.path("state").asText();
    if (!state.equals("APPROVED")) throw new Failed("after both approvals the model is " + state + ", not APPROVED");
    n.done("Approved by dpo-1 and dpo-2 (four eyes): APPROVED");

    n.begin("Activating on the embedded engine");
    String modelId = DemoModel.NAME;
    long engineStart = System.nanoTime();
    http.expect(200, "PUT", "/admin/models/" + modelId, adminToken,
        Map.of("backend", "embedded", "catalogVersionId", versionId));
    awaitEngine(http, adminToken, modelId, engineStart);
    double engineReady = seconds(engineStart);
    http.expect(200, "PUT", "/admin/aliases/" + ALIAS, adminToken, Map.of("model", modelId));
    n.done("Activated it on the embedded engine as " + ALIAS);
    n.detail(String.format(Locale.ROOT, "llama.cpp on CPU, in a supervised child process; ready %.1f s after activation",
        engineReady));

    n.begin("Creating an app key");
    JsonNode app = http.expect(201, "POST", "/admin/apps", adminToken, Map.of("name", APP_NAME, "grants", List.of(ALIAS)));
    String appKey = app.path("key").path("secret").asText();
    writeSecret(dataDir.resolve(APP_KEY_FILE), appKey + "\n");
    n.done("Created the app '" + APP_NAME + "' and its key (grant: " + ALIAS + ")");

    n.begin("Sending a chat completion");
    JsonNode chat = http.expect(200, "POST", "/v1/chat/completions", appKey, Map.of("model", ALIAS,
        "messages", List.of(Map.of("role", "user", "content", "Hello! Who are you?")), "max_tokens", 24));
    String answer = chat.path("choices").path(0).path("message").path("content").asText();
    n.done("Sent a chat completion through /v1: answered, audited");
    n.detail(chat.path("usage").path("completion_tokens").asInt() + " tokens (random weights, so random words): "
        + oneLine(answer));

    n.begin("Verifying the audit log offline");
    // Sign a checkpoint of everything so far (the log also does this on its own schedule), so the
    // offline check below proves the signature over every record the demo made.
    server.getApplicationContext().getBean(AuditLog.class).checkpoint();
    VerificationReport report = verifyAuditLog(verifierKey);
    n.done("Verified the audit log offline: " + report.entries() + " records intact");
    n.detail(report.checkpoints() + (report.checkpoints() == 1 ? " signed checkpoint" : " signed checkpoints")
        + " checked with the verifier key in " + VERIFIER_KEY_FILE);

    Summary summary = new Summary(http.base(), List.copyOf(logins), appKey, verifierKey, modelId, versionId, answer,
        report.entries(), serverReady, engineReady);
    printSummary(summary);
    return new Running(server, summary);
  }

  // ---- steps ----

  private void startOver() throws IOException {
    if (Files.isSymbolicLink(dataDir)) {
      throw new Failed(dataDir + " is a symbolic link; the demo starts over only in a directory it made: give another --data-dir");
    }
    if (Files.isDirectory(dataDir)) {
      boolean empty;
      try (Stream<Path> s = Files.list(dataDir)) {
        empty = s.findAny().isEmpty();
      }
      if (!empty && !Files.exists(dataDir.resolve(MARKER))) {
        throw new Failed(dataDir + " exists and was not made by the demo, so it was left alone: give another"
            + " --data-dir, or remove it yourself");
      }
      deleteTree(dataDir);
    } else if (Files.exists(dataDir)) {
      throw new Failed(dataDir + " is a file, not a directory: give another --data-dir");
    }
    Files.createDirectories(dataDir);
    Files.writeString(dataDir.resolve(MARKER), "Made by 'airlock demo', which deletes this directory when run again.\n");
  }

  /** Deletes a tree, making read-only directories (the engine's servable copies) writable first. */
  private static void deleteTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Set<PosixFilePermission> p = EnumSet.copyOf(Files.getPosixFilePermissions(dir));
        if (p.addAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE))) {
          Files.setPosixFilePermissions(dir, p);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) throw e;
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** A new EC P-256 key pair written as {@code keys generate} writes it: private.pem (600) and public.pem. */
  private static SigningKey newKey(Path dir) throws IOException {
    SigningKey key = SigningKey.generate(Curve.P256);
    KeyFiles.write(key, dir);
    return key;
  }

  private EmbeddedServer startServer() {
    Map<String, Object> props = new HashMap<>();
    props.put("airlock.data-dir", dataDir.toString());
    props.put("micronaut.server.host", "127.0.0.1");
    props.put("micronaut.server.port", options.port());
    // The narrative is the demo's output; the server only speaks up when something is wrong.
    props.put("logger.levels.root", "WARN");
    props.putAll(options.serverProperties());
    return ApplicationContext.builder().deduceEnvironment(false).properties(props).run(EmbeddedServer.class);
  }

  private void awaitReady(DemoClient http) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      DemoClient.Answer a = http.call("GET", "/health/ready", null, null);
      if (a.status() == 200) return;
      if (System.nanoTime() > deadline) throw new Failed("the server did not become ready: /health/ready says " + a.body());
      sleep(20);
    }
  }

  /** Signs in with the one-time password, chooses a generated one, and signs in with that. */
  private String choosePassword(DemoClient http, List<Login> logins, String role, String username, String oneTime) {
    String token = http.signIn(username, oneTime);
    String password = newPassword();
    http.expect(200, "POST", "/admin/session/password", token, Map.of("current", oneTime, "next", password));
    logins.add(new Login(role, username, password));
    return http.signIn(username, password);
  }

  /** Four groups of five letters and digits (no look-alikes): about 100 bits. */
  private String newPassword() {
    String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      if (i > 0 && i % 5 == 0) b.append('-');
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  private void awaitEngine(DemoClient http, String token, String modelId, long since) {
    long deadline = since + ENGINE_START_LIMIT.toNanos();
    while (true) {
      JsonNode models = http.expect(200, "GET", "/admin/models", token, null).path("models");
      for (JsonNode m : models) {
        JsonNode replicas = m.path("replicaStatus");
        if (m.path("id").asText().equals(modelId) && replicas.size() > 0) {
          boolean healthy = true;
          for (JsonNode r : replicas) healthy &= r.path("healthy").asBoolean();
          if (healthy) return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new Failed("the embedded engine did not become ready within " + ENGINE_START_LIMIT.toSeconds()
            + " s; its log is under " + dataDir.resolve("backends"));
      }
      n.progress(String.format(Locale.ROOT, "loading the model, %.1f s", seconds(since)));
      sleep(50);
    }
  }

  private VerificationReport verifyAuditLog(String verifierKey) {
    NoteVerifier verifier;
    try {
      verifier = NoteVerifier.parse(verifierKey);
    } catch (NoteFormatException e) {
      throw new Failed("the audit log's verifier key does not parse: " + e.getMessage());
    }
    VerificationReport report = AuditLogReader.open(AuditLog.directoryIn(dataDir))
        .verify(verifier, entries -> n.progress(entries + " entries"));
    report.problem().ifPresent(p -> {
      throw new Failed("audit log verification FAILED at index " + p.index() + ": " + p.message());
    });
    return report;
  }

  private void printSummary(Summary s) {
    String base = s.url().toString();
    Path shown = relative(dataDir);
    n.say("");
    n.say("Airlock is serving on " + base + " until Ctrl-C.");
    n.say("");
    n.say("  Console          " + base + "/console");
    for (int i = 0; i < s.logins().size(); i++) {
      Login l = s.logins().get(i);
      n.say(String.format(Locale.ROOT, "  %-16s %-8s %-8s %s", i == 0 ? "Logins" : "", l.role(), l.username(), l.password()));
    }
    n.say("  OpenAI base URL  " + base + "/v1   (model: " + ALIAS + ")");
    n.say("  App key          " + s.appKey());
    n.say("  Files, mode 600  " + shown.resolve(APP_KEY_FILE) + ", " + shown.resolve(LOGINS_FILE) + ", "
        + shown.resolve(VERIFIER_KEY_FILE));
    n.say("");
    n.say("Try it:");
    n.say("  curl -s " + base + "/v1/chat/completions -H 'Authorization: Bearer " + s.appKey() + "' \\");
    n.say("    -H 'Content-Type: application/json' -d '{\"model\":\"" + ALIAS
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}'");
    n.say("Check the audit log yourself, also while serving:");
    n.say("  ./airlock audit verify --data-dir " + shown + " --verifier-key " + shown.resolve(VERIFIER_KEY_FILE));
  }

  // ---- helpers ----

  /** Writes a file readable by its owner only (mode 600), replacing any earlier one. */
  static void writeSecret(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  private Progress progress() {
    return new Progress() {
      private long total = -1;
      private long done;

      @Override
      public void start(String task, long totalBytes) {
        total = totalBytes;
        done = 0;
      }

      @Override
      public synchronized void advance(long bytes) {
        done += bytes;
        n.progress(percent(done, total));
      }

      @Override
      public void finish() {}
    };
  }

  private static String percent(long done, long total) {
    return total <= 0 ? mib(done) : (done * 100 / total) + "%";
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static Path relative(Path p) {
    Path cwd = Path.of("").toAbsolutePath();
    return p.startsWith(cwd) ? cwd.relativize(p) : p;
  }

  /** The answer on one line, without the broken characters a random-weight model emits. */
  private static String oneLine(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().filter(c -> c != 0xFFFD && (Character.isLetterOrDigit(c) || c == ' ' || "'.,!?-".indexOf(c) >= 0))
        .forEach(b::appendCodePoint);
    String t = b.toString().replaceAll("\\s+", " ").strip();
    return t.length() > 100 ? t.substring(0, 99) + "…" : t;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failed("interrupted");
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    String m = e instanceof UncheckedIOException ? e.getMessage() : String.valueOf(e.getMessage());
    return t == e ? m : m + " (" + t.getMessage() + ")";
  }
}
