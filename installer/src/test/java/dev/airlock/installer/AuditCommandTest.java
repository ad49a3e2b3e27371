package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditKeys;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogOptions;
import dev.airlock.audit.AuditRecord;
import dev.airlock.audit.MerkleHash;
import dev.airlock.audit.note.CheckpointBody;
import dev.airlock.audit.note.NoteVerifier;
import dev.airlock.audit.note.SignedNote;
import dev.airlock.audit.note.TlogProof;
import dev.airlock.audit.proof.ProofVerifier;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandTest {
  static final AuditKeys KEYS = AuditKeys.generate("airlock.test/audit");
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;

  static AuditLogOptions options() {
    return AuditLogOptions.defaults().withCheckpointEntries(10).withCheckpointInterval(Duration.ofHours(1))
        .withSegmentBytes(8192);
  }

  static AuditRecord record(int i) {
    return AuditRecord.builder(i % 2 == 0 ? "inference.request" : "inference.response")
        .actor(Actor.app("crm")).subject("person-" + (i % 4)).model("llama-3-8b").requestId("r" + (i / 2))
        .payload(("payload " + i).getBytes(StandardCharsets.UTF_8)).build();
  }

  @BeforeEach
  void writeLog() {
    try (AuditLog log = AuditLog.open(AuditLog.directoryIn(dataDir), KEYS, options())) {
      for (int i = 0; i < 45; i++) {
        log.append(record(i));
      }
    }
  }

  AirlockCliTest.Run run(String... args) {
    return AirlockCliTest.run(args);
  }

  @Test
  void countsCheckpointsInGoodEnglish() {
    assertThat(AuditVerifyCommand.checkpoints(1)).isEqualTo("1 checkpoint");
    assertThat(AuditVerifyCommand.checkpoints(0)).isEqualTo("0 checkpoints");
    assertThat(AuditVerifyCommand.checkpoints(5)).isEqualTo("5 checkpoints");
  }

  @Test
  void verifyAcceptsAnIntactLogWithTheKeyStringOrAKeyFile() throws Exception {
    AirlockCliTest.Run r = run("audit", "verify", "--data-dir", dataDir.toString(), "--verifier-key", KEYS.verifierKey());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("audit log OK: 45 entries and 5 checkpoints verified");

    Path keyFile = dataDir.resolve("audit.vkey");
    Files.writeString(keyFile, KEYS.verifierKey() + "\n");
    AirlockCliTest.Run fromFile = run("audit", "verify", "--data-dir", dataDir.toString(), "--verifier-key", keyFile.toString());
    assertThat(fromFile.exit()).isZero();
  }

  @Test
  void verifyReportsAFlippedBitWithItsIndexAndFails() throws Exception {
    Path seg = Files.list(AuditLog.directoryIn(dataDir).resolve("segments"))
        .filter(p -> p.toString().endsWith(".seg")).sorted().findFirst().orElseThrow();
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.seek(0);
      f.readInt();
      f.seek(4 + 20); // inside the first leaf
      int b = f.read();
      f.seek(4 + 20);
      f.write(b ^ 1);
    }
    AirlockCliTest.Run r = run("audit", "verify", "--data-dir", dataDir.toString(), "--verifier-key", KEYS.verifierKey());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("audit log verification FAILED at index 0:", "checksum mismatch");
  }

  @Test
  void verifyRejectsCheckpointsSignedByAnotherKey() {
    String other = AuditKeys.generate("airlock.test/audit").verifierKey();
    AirlockCliTest.Run r = run("audit", "verify", "--data-dir", dataDir.toString(), "--verifier-key", other);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("FAILED at index 10: checkpoint #1 (tree size 10) is not signed by the verifier key");
  }

  @Test
  void verifyExplainsBadInput() {
    AirlockCliTest.Run badKey = run("audit", "verify", "--data-dir", dataDir.toString(), "--verifier-key", "nope");
    assertThat(badKey.exit()).isEqualTo(2);
    assertThat(badKey.err()).contains("--verifier-key 'nope' is neither a verifier key");

    AirlockCliTest.Run noLog = run("audit", "verify", "--data-dir", dataDir.resolve("empty").toString(),
        "--verifier-key", KEYS.verifierKey());
    assertThat(noLog.exit()).isEqualTo(2);
    assertThat(noLog.err()).contains("no audit log in", "expected a 'segments' directory");

    AirlockCliTest.Run missing = run("audit", "verify", "--verifier-key", KEYS.verifierKey());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("--data-dir");
  }

  @Test
  void exportWritesOneJsonLinePerEntryAndCheckpoint() throws Exception {
    AirlockCliTest.Run r = run("audit", "export", "--data-dir", dataDir.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    String[] lines = r.out().split("\n");
    assertThat(lines).hasSize(45 + 5);
    assertThat(lines[0]).matches("\\{\"index\": 0, \"leaf\": \"[A-Za-z0-9+/=]+\"\\}");
    assertThat(r.out()).contains("{\"checkpoint\": \"airlock.test/audit\\n10\\n");
    List<byte[]> leaves = new ArrayList<>();
    List<String> checkpoints = new ArrayList<>();
    for (String line : lines) {
      JsonNode n = JSON.readTree(line);
      if (n.has("index")) {
        assertThat(n.get("index").asLong()).isEqualTo(leaves.size());
        leaves.add(Base64.getDecoder().decode(n.get("leaf").asText()));
      } else {
        assertThat(n.fieldNames().next()).isEqualTo("checkpoint");
        String note = n.get("checkpoint").asText();
        CheckpointBody body = CheckpointBody.parse(SignedNote.parse(note).text());
        assertThat(body.size()).as("a checkpoint comes right after the last entry it covers").isEqualTo(leaves.size());
        checkpoints.add(note);
      }
    }
    assertThat(checkpoints).hasSize(5);
    try (AuditLog log = AuditLog.open(AuditLog.directoryIn(dataDir), KEYS, options())) {
      for (int i = 0; i < 45; i++) {
        assertThat(leaves.get(i)).isEqualTo(log.leaf(i));
      }
    }
  }

  @Test
  void verifyChecksAnExportFileAndFindsAnAlteredLeaf() throws Exception {
    AirlockCliTest.Run export = run("audit", "export", "--data-dir", dataDir.toString());
    Path file = dataDir.resolveSibling("export.jsonl");
    java.nio.file.Files.writeString(file, export.out());
    AirlockCliTest.Run ok = run("audit", "verify", "--export", file.toString(), "--verifier-key", KEYS.verifierKey());
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).startsWith("audit export OK: 45 entries and 5 checkpoints verified in " + file);

    String[] lines = export.out().split("\n");
    // Every leaf starts with version byte 0x01, base64 "A..."; "B" makes it an unknown version.
    assertThat(lines[3]).startsWith("{\"index\": 3, \"leaf\": \"A");
    lines[3] = lines[3].replaceFirst("\"leaf\": \"A", "\"leaf\": \"B");
    java.nio.file.Files.writeString(file, String.join("\n", lines) + "\n");
    AirlockCliTest.Run bad = run("audit", "verify", "--export", file.toString(), "--verifier-key", KEYS.verifierKey());
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("audit export verification FAILED: line 4: entry 3 is not a valid leaf");
  }

  @Test
  void exportHonoursFromAndToInclusive() throws Exception {
    AirlockCliTest.Run r = run("audit", "export", "--data-dir", dataDir.toString(), "--from", "12", "--to", "20");
    assertThat(r.exit()).isZero();
    List<Long> indexes = new ArrayList<>();
    int cps = 0;
    for (String line : r.out().split("\n")) {
      JsonNode n = JSON.readTree(line);
      if (n.has("index")) {
        indexes.add(n.get("index").asLong());
      } else {
        cps++;
      }
    }
    assertThat(indexes).containsExactly(12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);
    assertThat(cps).isEqualTo(1); // the one at size 20
    AirlockCliTest.Run bad = run("audit", "export", "--data-dir", dataDir.toString(), "--from", "5", "--to", "4");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--to >= --from");
  }

  @Test
  void proveWritesAC2spTlogProofThatVerifiesOffline() throws Exception {
    AirlockCliTest.Run r = run("audit", "prove", "--data-dir", dataDir.toString(), "--index", "17");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("c2sp.org/tlog-proof@v1\nextra ");
    assertThat(r.out()).contains("\nindex 17\n");
    TlogProof proof = TlogProof.parse(r.out());
    NoteVerifier v = NoteVerifier.parse(KEYS.verifierKey());
    SignedNote cp = v.verify(proof.checkpoint());
    CheckpointBody body = CheckpointBody.parse(cp.text());
    assertThat(body.size()).isEqualTo(45);
    byte[] leaf = proof.extra().orElseThrow();
    ProofVerifier.verifyInclusion(17, body.size(), MerkleHash.leaf(leaf), proof.hashes(), body.rootHash());

    AirlockCliTest.Run beyond = run("audit", "prove", "--data-dir", dataDir.toString(), "--index", "45");
    assertThat(beyond.exit()).isEqualTo(1);
    assertThat(beyond.err()).contains("entry 45 is not covered by a checkpoint yet (the latest covers 45 entries)");
  }

  @Test
  void commandsWorkReadOnlyWhileTheServerKeepsAppending() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong appended = new AtomicLong();
    try (AuditLog log = AuditLog.open(AuditLog.directoryIn(dataDir), KEYS, options())) {
      Thread writer = Thread.ofPlatform().start(() -> {
        for (int i = 0; !stop.get(); i++) {
          log.append(record(i));
          appended.incrementAndGet();
        }
      });
      try {
        for (int round = 0; round < 3; round++) {
          AirlockCliTest.Run v = run("audit", "verify", "--data-dir", dataDir.toString(), "--verifier-key", KEYS.verifierKey());
          assertThat(v.exit()).as(v.err()).isZero();
          AirlockCliTest.Run e = run("audit", "export", "--data-dir", dataDir.toString());
          assertThat(e.exit()).as(e.err()).isZero();
          AirlockCliTest.Run p = run("audit", "prove", "--data-dir", dataDir.toString(), "--index", "3");
          assertThat(p.exit()).as(p.err()).isZero();
        }
      } finally {
        stop.set(true);
        writer.join();
      }
      assertThat(appended.get()).isPositive();
    }
  }

  @Test
  void auditGroupListsItsCommands() {
    AirlockCliTest.Run r = run("audit");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("verify", "export", "prove");
  }

}
