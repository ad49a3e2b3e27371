package dev.airlock.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogReader;
import dev.airlock.audit.VerificationReport;
import dev.airlock.audit.note.NoteVerifier;
import dev.airlock.server.gateway.TestAppliance;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.LifecycleState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./airlock demo} end to end, without a terminal and without blocking: every step against
 * the real server, the real engine and the real audit log; run twice in one directory to show that
 * it starts over cleanly.
 */
class DemoTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void runsTheWholeFlowAndStartsOverCleanlyWhenRunAgain() throws Exception {
    Path data = dir.resolve("demo");
    DemoRun.Summary first;
    try (DemoRun.Running running = DemoRun.start(options(data), quiet(), false)) {
      first = running.summary();
      assertThat(first.answer()).isNotBlank();
    }
    Files.writeString(data.resolve("left-over-from-the-first-run"), "x");

    ByteArrayOutputStream narrative = new ByteArrayOutputStream();
    try (DemoRun.Running running = DemoRun.start(options(data), new PrintStream(narrative, true, StandardCharsets.UTF_8), false)) {
      DemoRun.Summary s = running.summary();
      String out = narrative.toString(StandardCharsets.UTF_8);
      assertThat(out).contains("[ 1/14] Started over in " + data.toAbsolutePath(),
          "[ 4/14] Signed the model (OpenSSF Model Signing, ECDSA P-256) ",
          "[14/14] Verified the audit log offline", "Airlock is serving on " + s.url(),
          "curl -s " + s.url() + "/v1/chat/completions -H 'Authorization: Bearer " + s.appKey() + "'");
      assertThat(data.resolve("left-over-from-the-first-run")).doesNotExist();

      // The chat answered, through the alias, and the alias is all the app sees.
      assertThat(s.answer()).isNotBlank();
      JsonNode models = get(s.url(), "/v1/models", s.appKey()).path("data");
      assertThat(models.findValuesAsText("id")).containsExactly(DemoRun.ALIAS);
      Vault vault = running.context().getBean(Vault.class);
      assertThat(vault.catalog().find(s.versionId()).orElseThrow().state()).isEqualTo(LifecycleState.ACTIVE);

      // The three files, owner-only, with what they should hold.
      for (String f : List.of(DemoRun.APP_KEY_FILE, DemoRun.LOGINS_FILE, DemoRun.VERIFIER_KEY_FILE)) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(f)))).as(f).isEqualTo("rw-------");
      }
      assertThat(Files.readString(data.resolve(DemoRun.APP_KEY_FILE))).isEqualTo(s.appKey() + "\n").startsWith("alk_");
      String vkey = Files.readString(data.resolve(DemoRun.VERIFIER_KEY_FILE)).strip();
      assertThat(vkey).isEqualTo(s.verifierKey());
      List<String[]> logins = Files.readAllLines(data.resolve(DemoRun.LOGINS_FILE)).stream().map(l -> l.split(" ")).toList();
      assertThat(logins).extracting(l -> l[0]).containsExactly("ADMIN", "DPO", "DPO", "AUDITOR");
      for (String[] l : logins) {
        assertThat(l).hasSize(3);
        HttpResponse<String> signIn = post(s.url(), "/admin/session", Map.of("username", l[1], "password", l[2]));
        assertThat(signIn.statusCode()).as(l[1] + ": " + signIn.body()).isEqualTo(201);
        assertThat(JSON.readTree(signIn.body()).path("mustChangePassword").asBoolean()).isFalse();
        assertThat(JSON.readTree(signIn.body()).path("roles").get(0).asText()).isEqualTo(l[0]);
      }
      assertThat(first.logins()).extracting(DemoRun.Login::password)
          .doesNotContainAnyElementsOf(s.logins().stream().map(DemoRun.Login::password).toList());

      // The audit log verifies offline with the key in log.vkey, and holds what the demo did.
      VerificationReport report = AuditLogReader.open(AuditLog.directoryIn(data.toAbsolutePath()))
          .verify(NoteVerifier.parse(vkey));
      assertThat(report.problem()).isEmpty();
      assertThat(report.entries()).isGreaterThanOrEqualTo(s.auditEntries());
      // at least the checkpoint the demo signs before its own check, covering all it had done
      assertThat(report.checkpoints()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void refusesAPortInUseBeforeDoingAnything() throws Exception {
    Path data = dir.resolve("demo");
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Demo.Options o = new Demo.Options(busy.getLocalPort(), data, Map.of());
      assertThatThrownBy(() -> DemoRun.start(o, quiet(), false)).isInstanceOf(DemoRun.Failed.class)
          .hasMessage("port " + busy.getLocalPort() + " is in use: stop what is using it or run ./airlock demo --port N");
    }
    assertThat(data).doesNotExist();
  }

  @Test
  void leavesADirectoryItDidNotMakeAlone() throws Exception {
    Path data = Files.createDirectories(dir.resolve("precious"));
    Files.writeString(data.resolve("notes.txt"), "keep me");
    assertThatThrownBy(() -> DemoRun.start(new Demo.Options(TestAppliance.freePort(), data, Map.of()), quiet(), false))
        .isInstanceOf(DemoRun.Failed.class)
        .hasMessage(data.toAbsolutePath() + " exists and was not made by the demo, so it was left alone: give another"
            + " --data-dir, or remove it yourself");
    assertThat(Files.readString(data.resolve("notes.txt"))).isEqualTo("keep me");
  }

  @Test
  void parsesPortAndDataDirAndRefusesAnythingElse() {
    Demo.Options o = Demo.parse(new String[] {"demo", "--port", "9090", "--data-dir", "/tmp/d"});
    assertThat(o.port()).isEqualTo(9090);
    assertThat(o.dataDir()).isEqualTo(Path.of("/tmp/d"));
    assertThat(Demo.parse(new String[] {"demo"}).port()).isEqualTo(8080);
    assertThatThrownBy(() -> Demo.parse(new String[] {"demo", "--port", "x"})).hasMessage("--port needs a number; found 'x'");
    assertThatThrownBy(() -> Demo.parse(new String[] {"demo", "--port", "0"}))
        .hasMessage("--port must be between 1 and 65535; found 0");
    assertThatThrownBy(() -> Demo.parse(new String[] {"demo", "--fast"})).hasMessage("unknown option '--fast'");
  }

  private static Demo.Options options(Path data) throws Exception {
    // One engine thread: the build machines are shared, and llama.cpp's spinning threads slow everyone down.
    return new Demo.Options(TestAppliance.freePort(), data, Map.of("airlock.engine.threads", 1,
        "airlock.engine.ctx-size", 512, "airlock.gateway.first-backend-port", TestAppliance.freePort()));
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  private JsonNode get(URI base, String path, String token) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).header("authorization", "Bearer " + token)
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private HttpResponse<String> post(URI base, String path, Object body) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
