package dev.airlock.audit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditKeys;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogOptions;
import dev.airlock.audit.AuditRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditIndexTest {
  static final AuditKeys KEYS = AuditKeys.generate("airlock.test/audit");
  static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  static final Duration PATIENCE = Duration.ofSeconds(60);
  static final PayloadAccess INVESTIGATION = new PayloadAccess("analyst-7", "case 2026-113", Set.of("inference.*"));

  @TempDir Path dir;
  AuditLog log;

  @BeforeEach
  void openLog() {
    log = AuditLog.open(dir.resolve("audit"), KEYS,
        AuditLogOptions.defaults().withCheckpointInterval(Duration.ofHours(1)).withCheckpointEntries(1_000_000));
  }

  @AfterEach
  void closeLog() {
    log.close();
  }

  /**
   * Entry k: minute k after T0; request for even k, response for odd; app "crm" for k % 3 != 0,
   * else user "user-(k % 2)"; subject "person-(k % 4)"; model "m-(k % 5)"; request id "r-(k / 2)";
   * status "error" every 10th, else "ok".
   */
  static AuditRecord record(int k) {
    return AuditRecord.builder(k % 2 == 0 ? "inference.request" : "inference.response")
        .time(T0.plus(Duration.ofMinutes(k)))
        .actor(k % 3 != 0 ? Actor.app("crm") : Actor.user("user-" + (k % 2)))
        .subject("person-" + (k % 4)).model("m-" + (k % 5)).requestId("r-" + (k / 2))
        .status(k % 10 == 9 ? "error" : "ok")
        .payload(("prompt of entry " + k).getBytes(StandardCharsets.UTF_8)).build();
  }

  void append(int from, int to) {
    for (int k = from; k < to; k++) {
      assertThat(log.append(record(k))).isEqualTo(k);
    }
  }

  static List<Long> indexes(QueryPage page) {
    return page.entries().stream().map(IndexedEntry::index).toList();
  }

  /** The indexes of entries 0..n-1 matching, newest first: the expected answer, computed independently. */
  static List<Long> expected(int n, java.util.function.IntPredicate matches) {
    List<Long> out = new ArrayList<>();
    for (int k = n - 1; k >= 0; k--) {
      if (matches.test(k)) {
        out.add((long) k);
      }
    }
    return out;
  }

  /** The indexes of every entry matching {@code query}, following its pages to the end. */
  static List<Long> everyPage(AuditIndex index, AuditQuery query) {
    List<Long> out = new ArrayList<>();
    QueryPage page = index.search(query);
    out.addAll(indexes(page));
    while (page.next().isPresent()) {
      page = index.search(query.after(page.next().get()));
      out.addAll(indexes(page));
    }
    return out;
  }

  AuditIndex caughtUp() throws InterruptedException {
    AuditIndex index = AuditIndex.open(log);
    assertThat(index.awaitCaughtUp(PATIENCE)).isTrue();
    return index;
  }

  @Test
  void findsEntriesByEachFilterNewestFirst() throws Exception {
    append(0, 60);
    try (AuditIndex index = caughtUp()) {
      AuditQuery all = AuditQuery.newestFirst().limit(100);
      assertThat(indexes(index.search(all))).isEqualTo(expected(60, k -> true));
      assertThat(indexes(index.search(all.type("inference.response")))).isEqualTo(expected(60, k -> k % 2 == 1));
      assertThat(indexes(index.search(all.app("crm")))).isEqualTo(expected(60, k -> k % 3 != 0));
      assertThat(indexes(index.search(all.user("user-1")))).isEqualTo(expected(60, k -> k % 3 == 0 && k % 2 == 1));
      assertThat(indexes(index.search(all.subject("person-2")))).isEqualTo(expected(60, k -> k % 4 == 2));
      assertThat(indexes(index.search(all.model("m-3")))).isEqualTo(expected(60, k -> k % 5 == 3));
      assertThat(indexes(index.search(all.requestId("r-7")))).containsExactly(15L, 14L);
      assertThat(indexes(index.search(all.status("error")))).isEqualTo(expected(60, k -> k % 10 == 9));
      assertThat(indexes(index.search(all.from(T0.plus(Duration.ofMinutes(10))).to(T0.plus(Duration.ofMinutes(20))))))
          .isEqualTo(expected(60, k -> k >= 10 && k < 20));
      assertThat(indexes(index.search(all.app("crm").model("m-1").status("ok").from(T0.plus(Duration.ofMinutes(30))))))
          .isEqualTo(expected(60, k -> k % 3 != 0 && k % 5 == 1 && k % 10 != 9 && k >= 30));
      assertThat(index.search(all.app("nobody")).entries()).isEmpty();
      assertThat(index.search(all.user("crm")).entries()).as("an app id is not a user").isEmpty();

      IndexedEntry e = index.search(all.requestId("r-7").limit(1)).entries().get(0);
      assertThat(e).isEqualTo(new IndexedEntry(15, T0.plus(Duration.ofMinutes(15)), "inference.response",
          Actor.Kind.USER, java.util.Optional.empty(), java.util.Optional.of("m-0"), java.util.Optional.of("r-7"),
          "ok", true));
    }
  }

  @Test
  void pagesFollowTheCursorWithoutSkipsOrRepeatsWhileEntriesArrive() throws Exception {
    append(0, 50);
    try (AuditIndex index = caughtUp()) {
      AuditQuery q = AuditQuery.newestFirst().app("crm").limit(7);
      List<Long> seen = new ArrayList<>();
      QueryPage page = index.search(q);
      seen.addAll(indexes(page));
      append(50, 60); // newer entries must not shift the pages that follow
      assertThat(index.awaitCaughtUp(PATIENCE)).isTrue();
      while (page.next().isPresent()) {
        assertThat(page.entries()).hasSize(7);
        page = index.search(q.after(page.next().get()));
        seen.addAll(indexes(page));
      }
      assertThat(seen).isEqualTo(expected(50, k -> k % 3 != 0));

      List<Long> oldest = everyPage(index, AuditQuery.oldestFirst().model("m-2").limit(3));
      assertThat(oldest).isEqualTo(expected(60, k -> k % 5 == 2).reversed());
      assertThat(PageCursor.parse(page.entries().get(0).cursor().toString())).isEqualTo(page.entries().get(0).cursor());
    }
  }

  @Test
  void aPageSaysHowFarTheIndexLagsAndAppendsNeverWaitForIt() throws Exception {
    append(0, 10);
    try (AuditIndex index = caughtUp()) {
      index.writes.acquire(); // the index database stalls
      try {
        append(10, 25); // ... and appends go on
        QueryPage page = index.search(AuditQuery.newestFirst().limit(100));
        assertThat(page.logSize()).isEqualTo(25);
        assertThat(page.indexed()).isEqualTo(10);
        assertThat(page.behind()).isEqualTo(15);
        assertThat(page.complete()).isFalse();
        assertThat(indexes(page)).isEqualTo(expected(10, k -> true));
        assertThat(index.status().behind()).isEqualTo(15);
      } finally {
        index.writes.release();
      }
      assertThat(index.awaitCaughtUp(PATIENCE)).isTrue();
      QueryPage page = index.search(AuditQuery.newestFirst().limit(100));
      assertThat(page.complete()).isTrue();
      assertThat(indexes(page)).isEqualTo(expected(25, k -> true));
    }
  }

  @Test
  void catchesUpFromTheLogWithEntriesAppendedWhileItWasClosed() throws Exception {
    append(0, 20);
    try (AuditIndex index = caughtUp()) {
      assertThat(index.status().indexed()).isEqualTo(20);
    }
    append(20, 48);
    try (AuditIndex index = caughtUp()) {
      assertThat(indexes(index.search(AuditQuery.newestFirst().limit(100)))).isEqualTo(expected(48, k -> true));
      // User tags of entries read back from the log come from decrypting them.
      assertThat(indexes(index.search(AuditQuery.newestFirst().user("user-0").limit(100))))
          .isEqualTo(expected(48, k -> k % 3 == 0 && k % 2 == 0));
    }
  }

  void deleteIndexFiles() throws java.io.IOException {
    try (var files = Files.walk(dir.resolve("audit").resolve(AuditIndex.DIRECTORY))) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Every row the index database holds, every column, in index order (the index closed). */
  List<String> storedRows() throws Exception {
    Path db = dir.resolve("audit").resolve(AuditIndex.DIRECTORY).resolve(IndexStore.DATABASE);
    List<String> rows = new ArrayList<>();
    try (var c = java.sql.DriverManager.getConnection("jdbc:h2:file:" + db.toAbsolutePath());
        var r = c.createStatement().executeQuery("SELECT * FROM audit_entry ORDER BY idx")) {
      int columns = r.getMetaData().getColumnCount();
      while (r.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          Object v = r.getObject(i);
          row.append(r.getMetaData().getColumnName(i)).append('=')
              .append(v instanceof byte[] b ? java.util.HexFormat.of().formatHex(b) : v).append(' ');
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }

  @Test
  void anEntryTakenFromTheQueueIsStoredAsTheSameRowAsWhenReadBackFromTheLog() throws Exception {
    // Entries as they arrive, and as a rebuild reads them back from their leaves: every kind of
    // actor, with and without subject, model and request id.
    List<AuditRecord> records = List.of(
        record(1), record(3), record(10),
        AuditRecord.builder("model.approved").time(T0).actor(Actor.user("dpo-1")).indexField("model", "m-1").build(),
        AuditRecord.builder("server.started").time(T0.plusNanos(123_456_789)).actor(Actor.system("audit-log")).build(),
        AuditRecord.builder("inference.response").time(T0).actor(Actor.app("crm")).subject("person-9")
            .requestId("r-9").status("client-cancelled").payload(new byte[] {1, 2}).build());
    try (AuditIndex index = caughtUp()) {
      for (AuditRecord r : records) {
        log.append(r);
      }
      assertThat(index.awaitCaughtUp(PATIENCE)).isTrue();
      assertThat(index.readBack).as("every entry came through the queue").isZero();
    }
    List<String> fromQueue = storedRows();
    assertThat(fromQueue).hasSize(records.size());
    assertThat(fromQueue.get(0)).contains("ACTOR=crm", "USER_TAG=null", "MODEL=m-1", "REQUEST_ID=r-0")
        .doesNotContain("SUBJECT_TAG=null");
    assertThat(fromQueue.get(1)).contains("ACTOR=null").doesNotContain("USER_TAG=null");
    assertThat(fromQueue.get(4)).contains("ACTOR=audit-log", "SUBJECT_TAG=null", "MODEL=null", "REQUEST_ID=null");

    deleteIndexFiles();
    try (AuditIndex index = caughtUp()) {
      assertThat(index.readBack).as("every entry read back from the log").isEqualTo(records.size());
    }
    assertThat(storedRows()).isEqualTo(fromQueue);
  }

  @Test
  void rebuildsFromTheLogWhenItsFilesAreDeleted() throws Exception {
    append(0, 30);
    List<Long> before;
    try (AuditIndex index = caughtUp()) {
      before = indexes(index.search(AuditQuery.newestFirst().subject("person-1").limit(100)));
    }
    deleteIndexFiles();
    try (AuditIndex index = caughtUp()) {
      assertThat(indexes(index.search(AuditQuery.newestFirst().subject("person-1").limit(100)))).isEqualTo(before);
      index.rebuild();
      assertThat(index.awaitCaughtUp(PATIENCE)).isTrue();
      assertThat(indexes(index.search(AuditQuery.newestFirst().subject("person-1").limit(100)))).isEqualTo(before)
          .isEqualTo(expected(30, k -> k % 4 == 1));
    }
  }

  @Test
  void aLongCatchUpLoadsInBulkAndFindsTheSameEntries() throws Exception {
    List<Long> expectedModel = expected(40, k -> k % 5 == 4);
    try (AuditIndex index = caughtUp()) {
      index.writes.acquire();
      index.bulkThreshold = 10; // 40 entries behind an empty index: the bulk path
      append(0, 40);
      index.writes.release();
      assertThat(index.awaitCaughtUp(PATIENCE)).isTrue();
      assertThat(index.bulkLoads).isEqualTo(1);
      assertThat(index.status().rebuilding()).isFalse();
      assertThat(indexes(index.search(AuditQuery.newestFirst().model("m-4").limit(100)))).isEqualTo(expectedModel);
      assertThat(indexes(index.search(AuditQuery.newestFirst().user("user-1").limit(100))))
          .isEqualTo(expected(40, k -> k % 3 == 0 && k % 2 == 1));
      assertThat(index.store.explain("SELECT idx FROM audit_entry USE INDEX (audit_entry_model) WHERE model = 'm-4'"
          + " ORDER BY model DESC, ts DESC, idx DESC LIMIT 51")).contains("/* index sorted */");
    }
  }

  @Test
  void aLagShorterThanWhatIsIndexedGoesRowByRow() throws Exception {
    append(0, 40);
    try (AuditIndex index = caughtUp()) {
      index.writes.acquire();
      index.bulkThreshold = 10; // 20 behind, over the threshold, but rebuilding would re-sort all 60
      append(40, 60);
      index.writes.release();
      assertThat(index.awaitCaughtUp(PATIENCE)).isTrue();
      assertThat(index.bulkLoads).isZero();
      assertThat(indexes(index.search(AuditQuery.newestFirst().model("m-4").limit(100))))
          .isEqualTo(expected(60, k -> k % 5 == 4));
    }
  }

  @Test
  void entriesBeyondWhatItsQueueHoldsAreReadBackFromTheLog() throws Exception {
    int queue = 100;
    int n = queue + 500;
    try (AuditIndex index = AuditIndex.open(log, queue)) {
      assertThat(index.awaitCaughtUp(PATIENCE)).isTrue();
      index.writes.acquire(); // the writer is held: the queue fills, then drops
      List<java.util.concurrent.CompletableFuture<Long>> appended = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        appended.add(log.appendAsync(record(k)));
      }
      for (var a : appended) {
        a.join();
      }
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (index.lastHeard < n - 1 && System.nanoTime() < deadline) {
        Thread.sleep(5); // the log's listener thread hands the entries over
      }
      assertThat(index.lastHeard).isEqualTo(n - 1);
      index.writes.release();
      append(n, n + 20); // queued behind the hole the dropped entries left
      assertThat(index.awaitCaughtUp(PATIENCE)).isTrue();
      assertThat(index.readBack).as("entries the full queue dropped, and perhaps those appended after")
          .isBetween(500L, 520L);
      assertThat(index.bulkLoads).isZero();
      AuditQuery all = AuditQuery.newestFirst().limit(AuditQuery.MAX_LIMIT);
      assertThat(everyPage(index, all)).isEqualTo(expected(n + 20, k -> true));
      // User tags of the entries read back come from decrypting them, as for those taken from the queue.
      assertThat(everyPage(index, all.user("user-1")))
          .isEqualTo(expected(n + 20, k -> k % 3 == 0 && k % 2 == 1));
    }
  }

  @Test
  void waitsWhileTheCoresAreBusyAndCatchesUpOnceTheyAreNot() throws Exception {
    append(0, 10);
    try (AuditIndex index = caughtUp()) {
      AtomicInteger looks = new AtomicInteger();
      index.writes.acquire();
      index.maxYield = Duration.ofHours(1);
      index.coresBusy = () -> looks.incrementAndGet() > 0;
      append(10, 30);
      index.writes.release();
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (looks.get() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      // Three looks at busy cores, each followed by a wait: nothing written meanwhile.
      assertThat(looks.get()).as("the writer looks at the cores before it writes").isGreaterThanOrEqualTo(3);
      assertThat(index.status().behind()).isEqualTo(20);
      index.coresBusy = () -> false;
      assertThat(index.awaitCaughtUp(PATIENCE)).isTrue();
      assertThat(indexes(index.search(AuditQuery.newestFirst().limit(100)))).isEqualTo(expected(30, k -> true));
    }
  }

  @Test
  void busyCoresDelayTheIndexButNeverStopIt() throws Exception {
    try (AuditIndex index = caughtUp()) {
      AtomicInteger looks = new AtomicInteger();
      index.writes.acquire();
      index.maxYield = Duration.ofMillis(300);
      index.coresBusy = () -> looks.incrementAndGet() > 0; // saturated for good
      append(0, 30);
      index.writes.release();
      assertThat(index.awaitCaughtUp(PATIENCE)).isTrue();
      assertThat(looks.get()).isPositive();
      assertThat(indexes(index.search(AuditQuery.newestFirst().limit(100)))).isEqualTo(expected(30, k -> true));
    }
  }

  @Test
  void storesNoUserIdSubjectOrPayloadInItsFiles() throws Exception {
    append(0, 12);
    try (AuditIndex index = caughtUp()) {
      assertThat(index.search(AuditQuery.newestFirst().user("user-1")).entries()).isNotEmpty();
    }
    byte[] db = Files.readAllBytes(dir.resolve("audit").resolve(AuditIndex.DIRECTORY).resolve("audit-index.mv.db"));
    String text = new String(db, StandardCharsets.ISO_8859_1);
    assertThat(text).contains("crm", "inference.request", "m-3").doesNotContain("user-1", "person-", "prompt of entry");
  }

  @Test
  void opensPayloadsOnlyUnderAGrantThatCoversTheirType() throws Exception {
    append(0, 4);
    long admin = log.append(AuditRecord.builder("admin.model.approve").actor(Actor.user("dpo-1"))
        .payload("approved".getBytes(StandardCharsets.UTF_8)).build());
    try (AuditIndex index = caughtUp()) {
      AuditRecord r = index.read(3, INVESTIGATION).orElseThrow();
      assertThat(new String(r.payload(), StandardCharsets.UTF_8)).isEqualTo("prompt of entry 3");
      assertThat(r.subject()).contains("person-3");
      assertThatThrownBy(() -> index.read(admin, INVESTIGATION))
          .isInstanceOf(PayloadAccessDeniedException.class)
          .hasMessage("entry 4 is a 'admin.model.approve' record, which the grant to 'analyst-7' (case 2026-113)"
              + " does not cover; it covers [inference.*]");
      assertThat(index.read(admin, new PayloadAccess("dpo-2", "four-eyes review", Set.of("*")))).isPresent();
    }
  }

  @Test
  void erasureLeavesEntriesFindableButForgetsTheirUsersAndPayloads() throws Exception {
    append(0, 24);
    try (AuditIndex index = caughtUp()) {
      // user-0 acts on k = 0, 6, 12, 18; subject person-0 is k % 4 == 0: 0 and 12 are both.
      assertThat(indexes(index.search(AuditQuery.newestFirst().user("user-0")))).containsExactly(18L, 12L, 6L, 0L);
      long erasure = log.erase("person-0").index();
      assertThat(index.awaitCaughtUp(PATIENCE)).isTrue();
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (indexes(index.search(AuditQuery.newestFirst().user("user-0"))).size() != 2) {
        assertThat(System.nanoTime()).as("erasure applied to the index").isLessThan(deadline);
        Thread.sleep(10);
      }
      assertThat(indexes(index.search(AuditQuery.newestFirst().user("user-0")))).containsExactly(18L, 6L);
      assertThat(indexes(index.search(AuditQuery.newestFirst().subject("person-0").limit(100))))
          .isEqualTo(expected(24, k -> k % 4 == 0));
      assertThat(index.read(12, INVESTIGATION)).isEmpty();
      assertThat(indexes(index.search(AuditQuery.newestFirst().type("audit.erasure")))).containsExactly(erasure);
    }
  }

  @Test
  void rejectsQueriesThatCannotBeAnswered() {
    assertThatThrownBy(() -> AuditQuery.newestFirst().limit(0))
        .hasMessage("page size must be between 1 and 1000, got 0");
    assertThatThrownBy(() -> AuditQuery.newestFirst().from(T0).to(T0))
        .hasMessage("the time range is empty: 'from' (2026-11-01T00:00:00Z, inclusive) must be before 'to'"
            + " (2026-11-01T00:00:00Z, exclusive)");
    assertThatThrownBy(() -> PageCursor.parse("page-2"))
        .hasMessageStartingWith("'page-2' is not a page cursor: expected TIME-INDEX");
  }

  @Test
  void everyQueryShapeRunsAsOneOrderedIndexScan() throws Exception {
    append(0, 5);
    try (AuditIndex index = caughtUp()) {
      // The plans the benchmark relies on: each ends with H2's "index sorted" (no sort of all matches).
      IndexStore store = index.store;
      for (String filter : List.of("", "WHERE model = 'm-1'", "WHERE request_id = 'r-1'", "WHERE type = 'x'")) {
        String col = filter.isEmpty() ? null : filter.substring(6, filter.indexOf(' ', 6));
        String order = (col == null ? "" : col + " DESC, ") + "ts DESC, idx DESC";
        String sql = "SELECT idx FROM audit_entry USE INDEX (" + (col == null ? "audit_entry_ts" : "audit_entry_" + col)
            + ") " + filter + " ORDER BY " + order + " LIMIT 51";
        assertThat(store.explain(sql)).as(sql).contains("/* index sorted */");
      }
    }
  }
}
