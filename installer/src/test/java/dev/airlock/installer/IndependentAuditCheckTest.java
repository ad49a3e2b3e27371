package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditKeys;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogOptions;
import dev.airlock.audit.AuditRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "anyone can check it" promise: docs/audit-log-verify.py, written from
 * docs/audit-log-format.md alone, verifies the output of 'airlock audit export' (and rejects a
 * tampered one). Needs python3 with the 'cryptography' package for Ed25519; skipped, saying so,
 * where they are missing.
 */
class IndependentAuditCheckTest {
  static final Path SCRIPT = Path.of("..", "docs", "audit-log-verify.py");

  @TempDir Path dataDir;
  AuditKeys keys = AuditKeys.generate("airlock.test/audit");

  @BeforeEach
  void needsPythonWithCryptography() throws Exception {
    boolean ok;
    try {
      Process p = new ProcessBuilder("python3", "-c", "import cryptography").redirectErrorStream(true).start();
      ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (java.io.IOException e) {
      ok = false;
    }
    Assumptions.assumeTrue(ok, "python3 with the 'cryptography' package is not available here");
    Assumptions.assumeTrue(Files.exists(SCRIPT), "run from the installer module: " + SCRIPT.toAbsolutePath());
  }

  record Result(int exit, String out) {}

  Result check(String export) throws Exception {
    Path file = dataDir.resolve("export.jsonl");
    Files.writeString(file, export, StandardCharsets.UTF_8);
    Process p = new ProcessBuilder("python3", SCRIPT.toString(), keys.verifierKey())
        .redirectInput(file.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  @Test
  void pythonReimplementationVerifiesTheExportOfALibraryWrittenLog() throws Exception {
    try (AuditLog log = AuditLog.open(AuditLog.directoryIn(dataDir), keys,
        AuditLogOptions.defaults().withCheckpointEntries(97).withCheckpointInterval(Duration.ofHours(1)).withSegmentBytes(64 * 1024))) {
      for (int i = 0; i < 1000; i++) {
        log.append(AuditRecord.builder(i % 3 == 0 ? "admin.model.approve" : "inference.request")
            .actor(i % 2 == 0 ? Actor.user("dpo-" + i % 5) : Actor.app("crm"))
            .subject("person-" + i % 13).model("llama-3-8b").requestId("r-" + i).status(i % 10 == 0 ? "refused" : "ok")
            .indexField("app", "crm").indexField("route", "/v1/chat/completions")
            .payload(("{\"prompt\":\"question " + i + " é\"}").getBytes(StandardCharsets.UTF_8)).build());
      }
      log.erase("person-3");
    }
    AirlockCliTest.Run export = AirlockCliTest.run("audit", "export", "--data-dir", dataDir.toString());
    assertThat(export.exit()).isZero();

    Result r = check(export.out());

    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("OK: 1001 entries, 11 checkpoints verified independently (latest covers 1001)")
        .contains("audit.erasure=1");
  }

  @Test
  void pythonReimplementationRejectsATamperedExport() throws Exception {
    try (AuditLog log = AuditLog.open(AuditLog.directoryIn(dataDir), keys,
        AuditLogOptions.defaults().withCheckpointEntries(10))) {
      for (int i = 0; i < 30; i++) {
        log.append(AuditRecord.builder("inference.request").actor(Actor.app("crm")).payload(new byte[] {(byte) i}).build());
      }
    }
    String export = AirlockCliTest.run("audit", "export", "--data-dir", dataDir.toString()).out();
    String[] lines = export.split("\n", -1);
    // Replace entry 5's leaf by entry 6's: every field still decodes, only the tree can tell.
    int five = indexOfEntry(lines, 5);
    int six = indexOfEntry(lines, 6);
    lines[five] = lines[six].replace("\"index\": 6,", "\"index\": 5,");
    Result r = check(String.join("\n", lines));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("FAILED: checkpoint of size 10: root does not match the entries");

    // Change one character inside the first checkpoint's signature (past the 4-byte key id).
    String marker = "\u2014 airlock.test/audit ";
    int at = export.indexOf(marker) + marker.length() + 20;
    char c = export.charAt(at);
    String forged = export.substring(0, at) + (c == 'A' ? 'B' : 'A') + export.substring(at + 1);
    Result s = check(forged);
    assertThat(s.exit()).isEqualTo(1);
    assertThat(s.out()).contains("FAILED: checkpoint signature by the verifier key does not verify");
  }

  static int indexOfEntry(String[] lines, int index) {
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].startsWith("{\"index\": " + index + ",")) {
        return i;
      }
    }
    throw new AssertionError("no entry " + index);
  }

}
