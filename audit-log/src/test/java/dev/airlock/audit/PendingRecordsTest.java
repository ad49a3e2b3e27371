package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records left while the log is closed are appended, once each, when it is next opened. */
class PendingRecordsTest {
  @TempDir Path dir;

  static final AuditKeys KEYS = AuditLogTest.KEYS;

  List<String> pendingFiles() throws IOException {
    Path pending = dir.resolve(PendingRecords.DIRECTORY);
    if (!Files.isDirectory(pending)) return List.of();
    try (Stream<Path> s = Files.list(pending)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void leftRecordsAreAppendedOnOpenInTheOrderLeftWithEveryFieldAndOnlyOnce() throws Exception {
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      log.append(AuditRecord.builder("server.started").build());
    }
    AuditRecord full = AuditRecord.builder("trust.added").time(Instant.parse("2026-11-22T13:00:00.123456789Z"))
        .actor(Actor.user("alice")).subject("alice@example.org").model("qwen-tiny").requestId("req-1")
        .status("ok").indexField("name", "org-transfer").indexField("role", "transfer")
        .payload("{\"username\":\"alice\"}".getBytes(StandardCharsets.UTF_8)).build();
    AuditRecord plain = AuditRecord.builder("trust.revoked").actor(Actor.system("airlock-cli")).build();
    PendingRecords.leave(dir, full);
    PendingRecords.leave(dir, plain);
    assertThat(pendingFiles()).hasSize(2).allMatch(n -> n.endsWith(".json"));

    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      assertThat(log.size()).isEqualTo(3);
      AuditRecord first = log.decrypt(1).orElseThrow();
      assertThat(first.type()).isEqualTo("trust.added");
      assertThat(first.time()).isEqualTo(full.time());
      assertThat(first.actor()).isEqualTo(Actor.user("alice"));
      assertThat(first.subject()).contains("alice@example.org");
      assertThat(first.model()).contains("qwen-tiny");
      assertThat(first.requestId()).contains("req-1");
      assertThat(first.status()).isEqualTo("ok");
      assertThat(first.indexFields()).containsExactlyEntriesOf(full.indexFields());
      assertThat(new String(first.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"username\":\"alice\"}");
      AuditRecord second = log.decrypt(2).orElseThrow();
      assertThat(second.type()).isEqualTo("trust.revoked");
      assertThat(second.actor()).isEqualTo(Actor.system("airlock-cli"));
      assertThat(second.payload()).isEmpty();
    }
    assertThat(pendingFiles()).isEmpty();

    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      assertThat(log.size()).as("appended once, not at every open").isEqualTo(3);
    }
  }

  @Test
  void aRecordWhoseWritingWasInterruptedIsNeverAppendedAndItsFileIsRemoved() throws Exception {
    PendingRecords.leave(dir, AuditRecord.builder("trust.added").build());
    Path pending = dir.resolve(PendingRecords.DIRECTORY);
    // What leave() leaves when it dies before its rename: a temporary file, never acknowledged.
    Files.writeString(pending.resolve("00000000000000000001-x.tmp"), "{\"type\":\"trust.revo");

    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      assertThat(log.size()).isEqualTo(1);
      assertThat(log.decrypt(0).orElseThrow().type()).isEqualTo("trust.added");
    }
    assertThat(pendingFiles()).isEmpty();
  }

  @Test
  void anUnreadableRecordIsKeptAsideAndItsFileNamedInTheLogAndTheOthersAreStillAppended() throws Exception {
    Path pending = Files.createDirectories(dir.resolve(PendingRecords.DIRECTORY));
    Files.writeString(pending.resolve("00000000000000000001-damaged.json"), "{\"type\":\"trust.added\",\"time\":");
    PendingRecords.leave(dir, AuditRecord.builder("trust.added").build());

    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      assertThat(log.size()).isEqualTo(2);
      AuditRecord note = log.decrypt(0).orElseThrow();
      assertThat(note.type()).isEqualTo("audit.pending_unreadable");
      assertThat(note.status()).isEqualTo("error");
      assertThat(note.indexFields()).containsEntry("file", "00000000000000000001-damaged.json.unreadable");
      assertThat(log.decrypt(1).orElseThrow().type()).isEqualTo("trust.added");
    }
    assertThat(pendingFiles()).containsExactly("00000000000000000001-damaged.json.unreadable");
  }

  @Test
  void aRecordTooLargeToLeaveIsRefusedAndNothingIsLeft() throws Exception {
    AuditRecord big = AuditRecord.builder("trust.added").payload(new byte[PendingRecords.MAX_PAYLOAD_BYTES + 1]).build();

    assertThatThrownBy(() -> PendingRecords.leave(dir, big)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("may carry " + PendingRecords.MAX_PAYLOAD_BYTES + " bytes of payload");
    assertThat(pendingFiles()).isEmpty();
  }

  @Test
  void whenTheLogCannotOpenTheRecordsStayForTheNextStart() throws Exception {
    PendingRecords.leave(dir, AuditRecord.builder("trust.added").build());
    try (AuditLog held = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      List<String> left = pendingFiles();
      PendingRecords.leave(dir, AuditRecord.builder("trust.revoked").build());
      // A second writer is refused before it touches anything: the record left meanwhile stays.
      assertThatThrownBy(() -> AuditLog.open(dir, KEYS, AuditLogTest.options())).isInstanceOf(AuditLogException.class);
      assertThat(left).isEmpty();
      assertThat(pendingFiles()).hasSize(1);
      assertThat(held.size()).as("a running log appends what was left only when it is next opened").isEqualTo(1);
    }
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      assertThat(log.size()).isEqualTo(2);
      assertThat(log.decrypt(1).orElseThrow().type()).isEqualTo("trust.revoked");
    }
  }
}
