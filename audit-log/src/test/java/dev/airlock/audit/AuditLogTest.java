package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.note.NoteVerifier;
import dev.airlock.audit.proof.ConsistencyProof;
import dev.airlock.audit.proof.InclusionProof;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  static final AuditKeys KEYS = AuditKeys.generate("airlock.test/audit");

  @TempDir Path dir;

  static AuditLogOptions options() {
    return AuditLogOptions.defaults().withCheckpointInterval(Duration.ofHours(1)).withCheckpointEntries(1_000_000);
  }

  static AuditRecord request(String subject, String prompt) {
    return AuditRecord.builder("inference.request")
        .actor(Actor.user("user-" + subject)).subject(subject).model("llama-3-8b").requestId("req-" + prompt.hashCode())
        .indexField("app", "crm").payload(prompt.getBytes(StandardCharsets.UTF_8)).build();
  }

  @Test
  void appendReturnsConsecutiveIndexesAndEntriesSurviveReopen() {
    try (AuditLog log = AuditLog.open(dir, KEYS, options())) {
      assertThat(log.append(request("alice", "hello"))).isZero();
      assertThat(log.append(request("bob", "hi"))).isEqualTo(1);
      assertThat(log.size()).isEqualTo(2);
    }
    try (AuditLog log = AuditLog.open(dir, KEYS, options())) {
      assertThat(log.size()).isEqualTo(2);
      AuditRecord r = log.decrypt(1).orElseThrow();
      assertThat(new String(r.payload(), StandardCharsets.UTF_8)).isEqualTo("hi");
      assertThat(r.subject()).contains("bob");
      assertThat(r.actor()).isEqualTo(Actor.user("user-bob"));
      assertThat(r.model()).contains("llama-3-8b");
      assertThat(r.indexFields()).containsEntry("app", "crm");
      assertThat(log.append(request("carol", "hey"))).isEqualTo(2);
    }
  }

  @Test
  void leafKeepsSearchableFieldsInPlaintextAndPersonalFieldsSealed() {
    try (AuditLog log = AuditLog.open(dir, KEYS, options())) {
      long i = log.append(request("alice-the-subject", "my secret prompt"));
      byte[] leaf = log.leaf(i);
      String asText = new String(leaf, StandardCharsets.ISO_8859_1);
      assertThat(asText).contains("inference.request", "llama-3-8b", "crm")
          .doesNotContain("alice-the-subject", "user-alice", "my secret prompt");
      AuditLeaf decoded = AuditLeaf.decode(leaf);
      assertThat(decoded.actorKind()).isEqualTo(Actor.Kind.USER);
      assertThat(decoded.actorId()).isEmpty();
      assertThat(decoded.hasSubject()).isTrue();
      assertThat(decoded.encode()).isEqualTo(leaf);
    }
  }

  @Test
  void concurrentAppendsGetDistinctIndexesAndAllRead() throws Exception {
    int threads = 16;
    int each = 300;
    Set<Long> indexes = ConcurrentHashMap.newKeySet();
    Map<Long, String> written = new ConcurrentHashMap<>();
    try (AuditLog log = AuditLog.open(dir, KEYS, options())) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        fs.add(pool.submit(() -> {
          for (int k = 0; k < each; k++) {
            String p = "t" + thread + "-" + k;
            long i = log.append(request("s" + (k % 7), p));
            assertThat(indexes.add(i)).isTrue();
            written.put(i, p);
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(log.size()).isEqualTo(threads * each);
      assertThat(Collections.max(indexes)).isEqualTo(threads * each - 1L);
      for (var e : written.entrySet()) {
        assertThat(new String(log.decrypt(e.getKey()).orElseThrow().payload(), StandardCharsets.UTF_8))
            .isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void checkpointsAreWrittenEveryMEntriesAndOnCloseAndAllVerify() throws Exception {
    try (AuditLog log = AuditLog.open(dir, KEYS, options().withCheckpointEntries(10))) {
      for (int i = 0; i < 25; i++) {
        log.append(request("alice", "p" + i));
      }
    }
    try (AuditLog log = AuditLog.open(dir, KEYS, options())) {
      List<Checkpoint> cps = log.checkpoints();
      assertThat(cps).extracting(Checkpoint::size).containsExactly(10L, 20L, 25L);
      NoteVerifier v = NoteVerifier.parse(KEYS.verifierKey());
      for (Checkpoint c : cps) {
        v.verify(c.signedNote());
        assertThat(c.rootHash()).isEqualTo(log.rootHash(c.size()));
        assertThat(c.signedNote()).startsWith("airlock.test/audit\n" + c.size() + "\n");
      }
    }
  }

  @Test
  void checkpointIsWrittenAfterTheIntervalWhenEntriesArrive() throws Exception {
    try (AuditLog log = AuditLog.open(dir, KEYS, options().withCheckpointInterval(Duration.ofMillis(50)))) {
      log.append(request("alice", "p"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (log.latestCheckpoint().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(log.latestCheckpoint()).isPresent();
      assertThat(log.latestCheckpoint().get().size()).isEqualTo(1);
    }
  }

  @Test
  void proofsVerifyAgainstSignedCheckpoints() throws Exception {
    try (AuditLog log = AuditLog.open(dir, KEYS, options())) {
      for (int i = 0; i < 37; i++) {
        log.append(request("s" + i, "p" + i));
      }
      Checkpoint old = log.checkpoint();
      for (int i = 0; i < 20; i++) {
        log.append(request("s" + i, "q" + i));
      }
      Checkpoint now = log.checkpoint();
      for (long i = 0; i < now.size(); i++) {
        InclusionProof p = log.proveInclusion(i, now.size());
        p.verify(MerkleHash.leaf(log.leaf(i)), now.rootHash());
      }
      ConsistencyProof c = log.proveConsistency(old.size(), now.size());
      c.verify(old.rootHash(), now.rootHash());
    }
  }

  @Test
  void erasureMakesPayloadsUnreadableButLeavesRootsAndProofsValid() throws Exception {
    List<AuditListenerTest.Recorded> seen = Collections.synchronizedList(new ArrayList<>());
    try (AuditLog log = AuditLog.open(dir, KEYS, options())) {
      log.subscribe(AuditListenerTest.recording(seen));
      long a1 = log.append(request("alice", "alice's prompt"));
      long b1 = log.append(request("bob", "bob's prompt"));
      long a2 = log.append(AuditRecord.builder("inference.response").actor(Actor.app("crm")).subject("alice")
          .payload("answer".getBytes(StandardCharsets.UTF_8)).build());
      Checkpoint before = log.checkpoint();
      byte[] leafBefore = log.leaf(a1);

      Erasure e = log.erase("alice");

      assertThat(e.keysDestroyed()).isEqualTo(2); // one per record type
      assertThat(e.index()).isEqualTo(3);
      assertThat(log.decrypt(a1)).isEmpty();
      assertThat(log.decrypt(a2)).isEmpty();
      assertThat(log.decrypt(b1)).isPresent();
      assertThat(log.leaf(a1)).isEqualTo(leafBefore);
      assertThat(log.rootHash(before.size())).isEqualTo(before.rootHash());
      log.proveInclusion(a1, before.size()).verify(MerkleHash.leaf(leafBefore), before.rootHash());
      AuditRecord erasure = log.decrypt(e.index()).orElseThrow();
      assertThat(erasure.type()).isEqualTo("audit.erasure");
      assertThat(erasure.indexFields()).containsEntry("subject_tag", e.subjectTag().orElseThrow())
          .containsEntry("keys_destroyed", "2");
      assertThat(new String(log.leaf(e.index()), StandardCharsets.ISO_8859_1)).doesNotContain("alice");
      // Later records about the same subject are readable again (with a new key).
      long a3 = log.append(request("alice", "after erasure"));
      assertThat(log.decrypt(a3)).isPresent();
    }
    try (AuditLog log = AuditLog.open(dir, KEYS, options())) {
      assertThat(log.decrypt(0)).isEmpty();
      assertThat(log.decrypt(1)).isPresent();
      assertThat(log.decrypt(4)).isPresent();
      assertThat(AuditLogReader.open(dir).verify(NoteVerifier.parse(KEYS.verifierKey())).ok()).isTrue();
    }
    assertThat(seen).anySatisfy(r -> assertThat(r.erasure()).isNotNull());
  }

  @Test
  void retentionShredsRecordsOfATypeAfterTheirPeriod() throws Exception {
    Instant now = Instant.parse("2026-11-21T12:00:00Z");
    AuditLogOptions opts = options().withClock(Clock.fixed(now, ZoneOffset.UTC))
        .withRetention(Map.of("inference.request", Duration.ofDays(30)));
    try (AuditLog log = AuditLog.open(dir, KEYS, opts)) {
      long old = log.append(AuditRecord.builder("inference.request").time(now.minus(Duration.ofDays(31)))
          .subject("alice").payload(new byte[] {1}).build());
      long recent = log.append(AuditRecord.builder("inference.request").time(now.minus(Duration.ofDays(3)))
          .subject("alice").payload(new byte[] {2}).build());
      long oldAdmin = log.append(AuditRecord.builder("admin.model.approve").time(now.minus(Duration.ofDays(400)))
          .payload(new byte[] {3}).build());

      // The writer sweeps by itself (right after open, then hourly); asking again finds nothing new.
      log.enforceRetention();
      assertThat(log.enforceRetention()).isEmpty();

      assertThat(log.decrypt(old)).isEmpty();
      assertThat(log.decrypt(recent)).isPresent();
      assertThat(log.decrypt(oldAdmin)).isPresent();
      List<AuditRecord> sweeps = new ArrayList<>();
      for (long i = 0; i < log.size(); i++) {
        log.decrypt(i).filter(r -> r.type().equals("audit.retention")).ifPresent(sweeps::add);
      }
      assertThat(sweeps).hasSize(1);
      assertThat(sweeps.get(0).indexFields()).containsEntry("keys_destroyed", "1").containsEntry("types", "inference.request");
    }
  }

  @Test
  void retentionIsEnforcedWithoutBeingAsked() throws Exception {
    Instant now = Instant.parse("2026-11-21T12:00:00Z");
    AuditLogOptions opts = options().withClock(Clock.fixed(now, ZoneOffset.UTC))
        .withRetention(Map.of("inference.request", Duration.ofDays(30)));
    try (AuditLog log = AuditLog.open(dir, KEYS, opts)) {
      long old = log.append(AuditRecord.builder("inference.request").time(now.minus(Duration.ofDays(45)))
          .payload(new byte[] {1}).build());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (log.decrypt(old).isPresent() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(log.decrypt(old)).isEmpty();
    }
  }

  @Test
  void aSecondWriterIsRefused() {
    try (AuditLog log = AuditLog.open(dir, KEYS, options())) {
      assertThatThrownBy(() -> AuditLog.open(dir, KEYS, options()))
          .isInstanceOf(AuditLogException.class)
          .hasMessageContaining("already writes the audit log")
          .hasMessageContaining("readers such as 'airlock audit verify' need no lock");
    }
  }

  @Test
  void refusesARecordTooLargeForAnEntry() {
    try (AuditLog log = AuditLog.open(dir, KEYS, options())) {
      byte[] huge = new byte[Frames.MAX_CONTENT];
      assertThatThrownBy(() -> log.append(AuditRecord.builder("inference.response").payload(huge).build()))
          .isInstanceOf(AuditLogException.class)
          .hasMessageContaining("is larger than the 67108864 bytes an entry may hold; nothing was recorded");
      assertThat(log.size()).isZero();
    }
  }

  @Test
  void appendAfterCloseFailsClearly() {
    AuditLog log = AuditLog.open(dir, KEYS, options());
    log.close();
    assertThatThrownBy(() -> log.append(request("a", "b")))
        .isInstanceOf(AuditLogException.class).hasMessageContaining("is closed; nothing was recorded");
  }

  @Test
  void appendAsyncCompletesWithTheIndexOnceDurableAndFailsClosedLikeAppend() throws Exception {
    AuditLog log = AuditLog.open(dir, KEYS, options());
    java.util.concurrent.CompletableFuture<Long> first = log.appendAsync(request("alice", "hello"));
    assertThat(first.get()).isZero();
    assertThat(log.size()).as("durable, hence counted, when the future completes").isEqualTo(1);
    assertThat(log.appendAsync(request("bob", "again")).get()).isEqualTo(1);
    log.close();
    assertThat(log.appendAsync(request("a", "b")))
        .failsWithin(java.time.Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause().isInstanceOf(AuditLogException.class).withMessageContaining("is closed; nothing was recorded");
    try (AuditLog reopened = AuditLog.open(dir, KEYS, options())) {
      assertThat(reopened.size()).isEqualTo(2);
    }
  }

  @Test
  void refusesAKeyFileOfAnotherLog() {
    try (AuditLog log = AuditLog.open(dir, KEYS, options())) {
      log.append(request("a", "b"));
    }
    AuditKeys other = AuditKeys.generate("airlock.test/audit");
    assertThatThrownBy(() -> AuditLog.open(dir, other, options()))
        .isInstanceOf(AuditLogException.class)
        .hasMessageContaining("does not unwrap with this log's master key");
  }

  @Test
  void keysSurviveSaveAndLoad() throws Exception {
    Path file = dir.resolve("audit.keys");
    KEYS.save(file);
    AuditKeys loaded = AuditKeys.load(file);
    assertThat(loaded.verifierKey()).isEqualTo(KEYS.verifierKey());
    assertThat(HexFormat.of().formatHex(loaded.tagKey())).isEqualTo(HexFormat.of().formatHex(KEYS.tagKey()));
    assertThat(java.nio.file.Files.getPosixFilePermissions(file).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
  }

  @Test
  void readerVerifiesAHealthyLog() throws Exception {
    try (AuditLog log = AuditLog.open(dir, KEYS, options().withCheckpointEntries(7).withSegmentBytes(4096))) {
      for (int i = 0; i < 60; i++) {
        log.append(request("s" + (i % 5), "prompt number " + i));
      }
    }
    VerificationReport r = AuditLogReader.open(dir).verify(NoteVerifier.parse(KEYS.verifierKey()));
    assertThat(r.problem()).isEmpty();
    assertThat(r.entries()).isEqualTo(60);
    assertThat(r.checkpoints()).isEqualTo(9); // 7,14,...,56 and 60 on close
  }
}
