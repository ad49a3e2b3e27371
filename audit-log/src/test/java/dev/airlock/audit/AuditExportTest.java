package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.note.NoteVerifier;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditExportTest {
  static final AuditKeys KEYS = AuditKeys.generate("airlock.test/audit");
  static final AuditKeys OTHER = AuditKeys.generate("airlock.test/audit");

  @TempDir Path dir;

  AuditLog open() {
    return AuditLog.open(dir.resolve("audit"), KEYS,
        AuditLogOptions.defaults().withCheckpointInterval(Duration.ofHours(1)).withCheckpointEntries(7));
  }

  static void fill(AuditLog log, int n) {
    for (int i = 0; i < n; i++) {
      log.append(AuditRecord.builder("inference.request").actor(Actor.app("crm")).subject("person-" + (i % 3))
          .payload(("prompt " + i).getBytes(StandardCharsets.UTF_8)).build());
    }
  }

  static AuditExport.Check verify(AuditKeys keys, String export) throws Exception {
    return AuditExport.verify(NoteVerifier.parse(keys.verifierKey()), new StringReader(export));
  }

  @Test
  void fullExportOfTheLogFilesVerifies() throws Exception {
    try (AuditLog log = open()) {
      fill(log, 30);
      log.checkpoint();
    }
    StringWriter out = new StringWriter();
    AuditExport.writeEntries(AuditLogReader.open(dir.resolve("audit")), 0, Long.MAX_VALUE, out);
    AuditExport.Check check = verify(KEYS, out.toString());
    assertThat(check.problem()).isEmpty();
    assertThat(check.proven()).isFalse();
    assertThat(check.entries()).isEqualTo(30);
    assertThat(check.checkpoints()).isGreaterThanOrEqualTo(5);
    assertThat(verify(OTHER, out.toString()).problem()).get().asString()
        .contains("the checkpoint is not signed by airlock.test/audit");
    // An entry dropped from the middle is found.
    String gap = out.toString().replaceFirst("\\{\"index\": 3, [^\n]*\n", "");
    assertThat(verify(KEYS, gap).problem()).get().asString().contains("expected entry 3, got 4");
  }

  @Test
  void provenExportOfChosenEntriesVerifiesInAnyOrder() throws Exception {
    StringWriter out = new StringWriter();
    try (AuditLog log = open()) {
      fill(log, 30);
      Checkpoint cp = AuditExport.writeProven(log, List.of(29L, 3L, 17L), out);
      assertThat(cp.size()).isEqualTo(30);
    }
    String export = out.toString();
    assertThat(export).startsWith("{\"checkpoint\": \"airlock.test/audit\\n30\\n");
    AuditExport.Check check = verify(KEYS, export);
    assertThat(check.problem()).isEmpty();
    assertThat(check.proven()).isTrue();
    assertThat(check.entries()).isEqualTo(3);
    // A proof presented for another index fails.
    String moved = export.replace("{\"index\": 17,", "{\"index\": 16,");
    assertThat(verify(KEYS, moved).problem()).get().asString()
        .startsWith("line 4: entry 16 is not proven in the checkpoint of size 30");
    // Without the checkpoint first, a proof has nothing to be checked against.
    String headless = export.substring(export.indexOf('\n') + 1);
    assertThat(verify(KEYS, headless).problem()).get().asString()
        .contains("carries a proof, but no checkpoint came before it");
  }

  @Test
  void malformedLinesAreReportedWithTheirLineNumber() throws Exception {
    assertThat(verify(KEYS, "{\"index\": 0}\n").problem()).get().asString()
        .isEqualTo("line 1: not an export line (neither a checkpoint nor an entry with 'index' and 'leaf')");
    assertThat(verify(KEYS, "not json\n").problem()).get().asString().startsWith("line 1: not an export line");
    assertThat(verify(KEYS, "").problem()).get().asString().isEqualTo("no checkpoint: nothing vouches for the entries");
  }
}
