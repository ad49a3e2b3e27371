package dev.airlock.server.auditing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditExport;
import dev.airlock.audit.AuditKeys;
import dev.airlock.audit.AuditLeaf;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogOptions;
import dev.airlock.audit.AuditRecord;
import dev.airlock.audit.index.AuditIndex;
import dev.airlock.audit.index.DayCount;
import dev.airlock.audit.note.NoteVerifier;
import dev.airlock.server.SchemaMigrations;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntPredicate;
import java.util.zip.CRC32C;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditServicesTest {
  static final AuditKeys KEYS = AuditKeys.generate("airlock.test/audit");
  static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  static final Duration PATIENCE = Duration.ofSeconds(60);
  static final int N = 60;

  @TempDir Path dir;
  AuditLog log;
  AuditIndex index;
  JdbcDataSource db;
  AuditSearch search;

  @BeforeEach
  void open() throws Exception {
    db = new JdbcDataSource();
    db.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
    SchemaMigrations.migrate(db);
    openLog();
    append(0, N);
    openIndex();
  }

  @AfterEach
  void close() {
    index.close();
    log.close();
  }

  void openLog() {
    log = AuditLog.open(dir.resolve("audit"), KEYS,
        AuditLogOptions.defaults().withCheckpointInterval(Duration.ofHours(1)).withCheckpointEntries(1_000_000));
  }

  void openIndex() throws InterruptedException {
    index = AuditIndex.open(log);
    assertThat(index.awaitCaughtUp(PATIENCE)).isTrue();
    search = new AuditSearch(log, index);
  }

  /**
   * Entry k: 6 hours after T0 times k (four a day); request for even k, response for odd; app
   * "crm" when k % 3 != 0, else user "user-(k % 2)"; subject "person-(k % 4)"; model "m-(k % 3)";
   * request id "r-(k / 2)"; status "error" every 10th, else "ok".
   */
  static AuditRecord record(int k) {
    return AuditRecord.builder(k % 2 == 0 ? "inference.request" : "inference.response")
        .time(T0.plus(Duration.ofHours(6L * k)))
        .actor(k % 3 != 0 ? Actor.app("crm") : Actor.user("user-" + (k % 2)))
        .subject("person-" + (k % 4)).model("m-" + (k % 3)).requestId("r-" + (k / 2))
        .status(k % 10 == 9 ? "error" : "ok")
        .payload(("{\"prompt\": \"question " + k + "\"}").getBytes(StandardCharsets.UTF_8)).build();
  }

  void append(int from, int to) {
    for (int k = from; k < to; k++) {
      assertThat(log.append(record(k))).isEqualTo(k);
    }
  }

  static List<Long> expected(IntPredicate matches) {
    List<Long> out = new ArrayList<>();
    for (int k = N - 1; k >= 0; k--) {
      if (matches.test(k)) {
        out.add((long) k);
      }
    }
    return out;
  }

  List<Long> found(AuditSearch.Query q) {
    return search.search(q, 1000, 0, "analyst").entries().stream().map(AuditSearch.Summary::index)
        .filter(i -> i < N).toList();
  }

  @Test
  void indexCatchesUpWithRecordsAppendedWhileTheServerWasDown() throws Exception {
    index.close();
    log.close();
    openLog();
    log.append(record(N)); // written with no index running, as by a server that crashed before indexing
    openIndex();
    AuditSearch.Page page = search.search(AuditSearch.Query.all().requestId("r-" + (N / 2)), 10, 0, "analyst");
    assertThat(page.entries()).extracting(AuditSearch.Summary::index).containsExactly((long) N);
    assertThat(page.complete()).isTrue();
  }

  @Test
  void eachFilterFindsExactlyTheMatchingEntriesNewestFirst() {
    assertThat(found(AuditSearch.Query.all().app("crm"))).isEqualTo(expected(k -> k % 3 != 0));
    assertThat(found(AuditSearch.Query.all().user("user-0"))).isEqualTo(expected(k -> k % 3 == 0 && k % 2 == 0));
    assertThat(found(AuditSearch.Query.all().subject("person-1"))).isEqualTo(expected(k -> k % 4 == 1));
    assertThat(found(AuditSearch.Query.all().model("m-2"))).isEqualTo(expected(k -> k % 3 == 2));
    assertThat(found(AuditSearch.Query.all().type("inference.response"))).isEqualTo(expected(k -> k % 2 == 1));
    assertThat(found(AuditSearch.Query.all().status("error"))).isEqualTo(expected(k -> k % 10 == 9));
    assertThat(found(AuditSearch.Query.all().requestId("r-7"))).isEqualTo(List.of(15L, 14L));
    Instant from = T0.plus(Duration.ofHours(6L * 10));
    Instant to = T0.plus(Duration.ofHours(6L * 20));
    assertThat(found(AuditSearch.Query.all().from(from).to(to))).isEqualTo(expected(k -> k >= 10 && k < 20));
    assertThat(found(AuditSearch.Query.all().app("crm").model("m-1").status("ok")))
        .isEqualTo(expected(k -> k % 3 == 1 && k % 10 != 9));
  }

  @Test
  void offsetAndCursorPageThroughTheSameResults() {
    AuditSearch.Query q = AuditSearch.Query.all().type("inference.request");
    AuditSearch.Page first = search.search(q, 10, 0, "analyst");
    AuditSearch.Page second = search.search(q, 10, 10, "analyst");
    AuditSearch.Page viaCursor = search.search(q.after(first.next().orElseThrow()), 10, 0, "analyst");
    assertThat(second.entries()).isEqualTo(viaCursor.entries());
    assertThat(second.entries()).extracting(AuditSearch.Summary::index).first().isEqualTo(expected(k -> k % 2 == 0).get(10));
    assertThatThrownBy(() -> search.search(q, 10, AuditSearch.MAX_OFFSET + 1, "analyst"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset must be between 0 and");
    assertThatThrownBy(() -> search.search(q, 0, 0, "analyst"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("page size must be between 1 and");
  }

  @Test
  void everySearchIsRecordedWithTheViewerBeforeResultsReturn() {
    AuditSearch.Page page = search.search(AuditSearch.Query.all().app("crm").subject("person-2"), 5, 0, "analyst-7");
    AuditRecord searched = log.decrypt(page.auditRecord()).orElseThrow();
    assertThat(searched.type()).isEqualTo(AuditSearch.TYPE_SEARCHED);
    assertThat(searched.actor()).isEqualTo(Actor.user("analyst-7"));
    assertThat(searched.indexFields()).containsEntry("app", "crm").containsEntry("limit", "5")
        .containsEntry("subjectTag", log.subjectTag("person-2"));
    // The searched subject is personal data: only its tag is written, never the id itself.
    assertThat(new String(log.leaf(page.auditRecord()), StandardCharsets.UTF_8)).doesNotContain("person-2");
    assertThat(new String(searched.payload(), StandardCharsets.UTF_8)).doesNotContain("person-2");
  }

  @Test
  void searchIsRefusedWhenTheAuditLogCannotRecordIt() {
    log.close();
    assertThatThrownBy(() -> search.search(AuditSearch.Query.all(), 10, 0, "analyst"))
        .isInstanceOf(AuditRefusedException.class)
        .hasMessageContaining("refused: the audit log could not record this audit.searched by 'analyst'")
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> search.record(3, "analyst")).isInstanceOf(AuditRefusedException.class);
  }

  @Test
  void recordViewDecryptsThePayloadAndVerifiesItsInclusionProof() {
    AuditSearch.RecordView view = search.record(3, "analyst-7");
    assertThat(view.summary().orElseThrow().actorKind()).isEqualTo(Actor.Kind.USER);
    AuditSearch.Decrypted d = (AuditSearch.Decrypted) view.content();
    assertThat(d.payloadText()).isEqualTo("{\"prompt\": \"question 3\"}");
    assertThat(d.subject()).contains("person-3");
    assertThat(d.userId()).contains("user-1");
    assertThat(view.proof().verified()).as(view.proof().reason()).isTrue();
    assertThat(view.proof().checkpointSize()).isGreaterThan(3);
    assertThat(view.proof().checkpoint()).startsWith("airlock.test/audit\n");
    assertThat(view.proof().proofHashes()).isNotEmpty();
    AuditRecord viewed = log.decrypt(view.auditRecord()).orElseThrow();
    assertThat(viewed.type()).isEqualTo(AuditSearch.TYPE_VIEWED);
    assertThat(viewed.actor()).isEqualTo(Actor.user("analyst-7"));
    assertThat(viewed.indexFields()).containsEntry("index", "3");
    assertThatThrownBy(() -> search.record(10_000, "analyst")).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("entry 10000 is not in the audit log");
  }

  @Test
  void alteredTreeFileMakesTheProofFailWithAReason() throws Exception {
    log.checkpoint();
    // Leaf 4's sibling (leaf 5) in the stored tree: the proof for 4 now leads to another root.
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("audit/tree/level-00.hashes").toFile(), "rw")) {
      f.seek(32L * 5);
      int b = f.read();
      f.seek(32L * 5);
      f.write(b ^ 0x01);
    }
    AuditSearch.RecordView view = search.record(4, "analyst");
    assertThat(view.proof().verified()).isFalse();
    assertThat(view.proof().reason()).contains("the inclusion proof does not lead to the signed root");
  }

  @Test
  void alteredSegmentEntryMakesTheProofFailAndTheRecordUnreadable() throws Exception {
    log.checkpoint();
    tamperEntry(7);
    AuditSearch.RecordView view = search.record(7, "analyst");
    assertThat(view.proof().verified()).isFalse();
    assertThat(view.proof().reason()).contains("the inclusion proof does not lead to the signed root");
    assertThat(view.content()).isInstanceOf(AuditSearch.Unreadable.class);
  }

  /** Flips the last byte of entry i's sealed part and fixes the frame's CRC, as a careful forger would. */
  void tamperEntry(long i) throws Exception {
    Path idx = dir.resolve("audit/segments/00000000000000000000.idx");
    Path seg = dir.resolve("audit/segments/00000000000000000000.seg");
    long off = ByteBuffer.wrap(Files.readAllBytes(idx), (int) (8 * i), 8).getLong();
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.seek(off);
      int len = f.readInt();
      byte[] frame = new byte[4 + len];
      f.seek(off);
      f.readFully(frame);
      frame[frame.length - 1] ^= 0x01;
      CRC32C crc = new CRC32C();
      crc.update(frame);
      f.seek(off);
      f.write(frame);
      f.writeInt((int) crc.getValue());
    }
  }

  @Test
  void exportIsVerifiedByTheOfflineVerifier() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AuditSearch.ExportSummary s = search.export(AuditSearch.Query.all().model("m-1"), out, "analyst-7");
    assertThat(s.entries()).isEqualTo(expected(k -> k % 3 == 1).size());
    String export = out.toString(StandardCharsets.UTF_8);
    NoteVerifier key = NoteVerifier.parse(log.verifierKey());
    AuditExport.Check check = AuditExport.verify(key, new StringReader(export));
    assertThat(check.problem()).isEmpty();
    assertThat(check.proven()).isTrue();
    assertThat(check.entries()).isEqualTo(s.entries());
    assertThat(log.decrypt(s.auditRecord()).orElseThrow().type()).isEqualTo(AuditSearch.TYPE_EXPORTED);

    // A leaf swapped for another entry's fails its proof, naming the line.
    String[] lines = export.split("\n");
    String other = lines[2].substring(lines[2].indexOf("\"leaf\""), lines[2].indexOf("\", \"proof\""));
    lines[1] = lines[1].replaceFirst("\"leaf\": \"[^\"]+", java.util.regex.Matcher.quoteReplacement(other));
    AuditExport.Check bad = AuditExport.verify(key, new StringReader(String.join("\n", lines) + "\n"));
    assertThat(bad.problem()).get().asString().startsWith("line 2: entry").contains("is not proven in the checkpoint");
  }

  @Test
  void exportIsVerifiedByTheIndependentPythonVerifier() throws Exception {
    Path script = Path.of("..", "docs", "audit-log-verify.py").toAbsolutePath().normalize();
    boolean python;
    try {
      python = new ProcessBuilder("python3", "-c", "import cryptography").redirectErrorStream(true).start().waitFor() == 0;
    } catch (java.io.IOException e) {
      python = false;
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(python, "python3 with the 'cryptography' package is not available here");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    search.export(AuditSearch.Query.all().status("error"), out, "analyst-7");
    Path file = dir.resolve("export.jsonl");
    Files.write(file, out.toByteArray());
    Process p = new ProcessBuilder("python3", script.toString(), log.verifierKey())
        .redirectInput(file.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(output).isZero();
    assertThat(output).startsWith("OK: " + expected(k -> k % 10 == 9).size() + " entries proven, 1 checkpoint verified");
  }

  @Test
  void requestsPerDayCountsRequestRecordsByModelAndApp() {
    // Four entries a day, two of them requests: day d holds requests 4d and 4d+2 (model k % 3).
    List<DayCount> byModel = search.requestsPerDay(T0, T0.plus(Duration.ofDays(2)), AuditIndex.GroupBy.MODEL);
    assertThat(byModel).containsExactly(
        new DayCount(LocalDate.parse("2026-11-01"), "m-0", 1), new DayCount(LocalDate.parse("2026-11-01"), "m-2", 1),
        new DayCount(LocalDate.parse("2026-11-02"), "m-0", 1), new DayCount(LocalDate.parse("2026-11-02"), "m-1", 1));
    List<DayCount> byApp = search.requestsPerDay(T0, T0.plus(Duration.ofDays(2)), AuditIndex.GroupBy.APP);
    // Requests 0 and 6 are by users, so only 2 and 4 count for the app.
    assertThat(byApp).containsExactly(
        new DayCount(LocalDate.parse("2026-11-01"), "crm", 1), new DayCount(LocalDate.parse("2026-11-02"), "crm", 1));
  }

  @Test
  void integrityStatusAndFullVerificationAreStoredAndAudited() throws Exception {
    AuditIntegrity integrity = new AuditIntegrity(log, db);
    log.checkpoint();
    AuditIntegrity.Status before = integrity.status();
    assertThat(before.lastVerification()).isEmpty();
    AuditIntegrity.CheckpointStatus cp = before.latestCheckpoint().orElseThrow();
    assertThat(cp.signatureVerified()).as(cp.detail()).isTrue();
    assertThat(cp.size()).isEqualTo(N);
    assertThat(cp.coversUntil()).contains(T0.plus(Duration.ofHours(6L * (N - 1))));

    AuditIntegrity.Verification ok = integrity.verifyNow("auditor-1");
    assertThat(ok.ok()).isTrue();
    assertThat(ok.entries()).isGreaterThanOrEqualTo(N);
    assertThat(integrity.status().lastVerification()).contains(ok);
    AuditRecord rec = log.decrypt(ok.auditRecord()).orElseThrow();
    assertThat(rec.type()).isEqualTo(AuditIntegrity.TYPE_VERIFIED);
    assertThat(rec.actor()).isEqualTo(Actor.user("auditor-1"));

    tamperEntry(11);
    AuditIntegrity.Verification bad = integrity.verifyNow("auditor-1");
    assertThat(bad.ok()).isFalse();
    assertThat(bad.problem()).get().asString().contains("signs root");
    assertThat(rec.status()).isEqualTo("ok");
    assertThat(log.decrypt(bad.auditRecord()).orElseThrow().status()).isEqualTo("failed");
    assertThat(integrity.lastVerification()).contains(bad);
  }

  @Test
  void erasureNeedsASecondPersonAndLeavesProofsValid() {
    ErasureRequests erasures = new ErasureRequests(log, db);
    ErasureRequests.ErasureRequest req = erasures.requestErasure("person-1", "alice", "DSAR 2026-41");
    assertThat(erasures.pending()).extracting(ErasureRequests.ErasureRequest::id).containsExactly(req.id());
    assertThat(log.decrypt(req.requestRecord()).orElseThrow().actor()).isEqualTo(Actor.user("alice"));

    assertThatThrownBy(() -> erasures.confirmErasure(req.id(), "Alice"))
        .isInstanceOf(ErasureRequests.ErasureRefusedException.class)
        .hasMessageContaining("a different person must confirm it (four eyes); nothing was erased");
    assertThat(((AuditSearch.Decrypted) search.record(1, "analyst").content()).subject()).contains("person-1");

    ErasureRequests.ErasureRequest done = erasures.confirmErasure(req.id(), "bob");
    assertThat(done.status()).isEqualTo(ErasureRequests.Status.DONE);
    assertThat(done.subject()).isEmpty();
    assertThat(done.confirmedBy()).contains("bob");
    assertThat(done.keysDestroyed()).get().isNotEqualTo(0);
    assertThat(erasures.pending()).isEmpty();
    assertThat(AuditLeaf.decode(log.leaf(done.erasureRecord().orElseThrow())).type()).isEqualTo(AuditRecord.TYPE_ERASURE);
    assertThatThrownBy(() -> erasures.confirmErasure(req.id(), "carol"))
        .isInstanceOf(ErasureRequests.ErasureRefusedException.class).hasMessageContaining("is done, not pending");

    AuditSearch.RecordView view = search.record(1, "analyst");
    assertThat(view.content()).isInstanceOfSatisfying(AuditSearch.Erased.class,
        e -> assertThat(e.erasureRecord()).isEqualTo(done.erasureRecord()));
    assertThat(view.proof().verified()).as(view.proof().reason()).isTrue();
    // Other subjects are untouched.
    assertThat(search.record(2, "analyst").content()).isInstanceOf(AuditSearch.Decrypted.class);
  }

  @Test
  void erasureRequestNeedsASubjectAndAReason() {
    ErasureRequests erasures = new ErasureRequests(log, db);
    assertThatThrownBy(() -> erasures.requestErasure(" ", "alice", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the subject to erase is required");
    assertThatThrownBy(() -> erasures.requestErasure("person-1", "alice", ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a reason is required");
    assertThatThrownBy(() -> erasures.confirmErasure("nope", "bob"))
        .isInstanceOf(ErasureRequests.ErasureRefusedException.class).hasMessageContaining("there is no erasure request 'nope'");
    assertThat(erasures.pending()).isEmpty();
    assertThat(Optional.of(log.size())).contains((long) N);
  }
}
