package dev.airlock.audit.index;

import dev.airlock.audit.Actor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Load benchmark of the query index (not a test; see docs/benchmarks.md): builds an index of N
 * synthetic entries with the writer's own insert path, then times typical console queries, first
 * and deep pages, and keyset paging side by side with OFFSET paging at the same depth.
 *
 * <p>Run: {@code java -cp ... dev.airlock.audit.index.IndexBenchmark [entries] [dir] [live]}. An
 * index already built in {@code dir} with the same size is reused; {@code live} instead times the
 * row-by-row path that follows appends.
 */
public final class IndexBenchmark {
  static final Instant START = Instant.parse("2026-10-01T00:00:00Z");
  /** 30 days of traffic, spread evenly over the entries. */
  static final Duration SPAN = Duration.ofDays(30);
  static final int APPS = 50;
  static final int USERS = 10_000;
  static final int SUBJECTS = 100_000;
  static final String[] MODELS = {"llama-3.1-8b", "llama-3.1-70b", "qwen2.5-7b", "qwen2.5-72b", "mistral-7b",
      "gemma-2-9b", "deepseek-v3", "phi-3-mini"};
  static final int RUNS = 200;
  static final int PAGE = 50;

  public static void main(String[] args) throws Exception {
    long n = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    Path dir = Path.of(args.length > 1 ? args[1] : "/tmp/airlock-index-bench");
    Files.createDirectories(dir);
    if (args.length > 2 && args[2].equals("live")) {
      live(dir, n);
      return;
    }
    if (args.length > 2 && args[2].equals("live-on-top")) {
      liveOnTop(dir, n, 200_000);
      return;
    }
    System.out.printf("machine: %d cores, Java %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
        Runtime.version(), Runtime.getRuntime().maxMemory() >> 20);
    try (IndexStore store = IndexStore.open(dir)) {
      long have = store.indexed();
      if (have != n) {
        if (have != 0) {
          store.clear();
        }
        build(store, n);
      } else {
        System.out.printf("reusing the index of %,d entries in %s%n", n, dir);
      }
      long bytes = Files.size(dir.resolve(IndexStore.DATABASE + ".mv.db"));
      System.out.printf("index file: %,d MiB (%d bytes per entry)%n", bytes >> 20, bytes / n);
      queries(store, dir, n);
    }
  }

  /**
   * The live path: rows added to an index whose search indexes exist, in the writer's transactions
   * of {@link AuditIndex#BATCH} rows; this is how fast the index keeps up with appends.
   */
  static void live(Path dir, long n) throws Exception {
    try (IndexStore store = IndexStore.open(dir)) {
      store.clear();
      SplittableRandom r = new SplittableRandom(42);
      List<IndexStore.Row> batch = new ArrayList<>(AuditIndex.BATCH);
      long t0 = System.nanoTime();
      for (long i = 0; i < n; i++) {
        batch.add(row(i, n, r));
        if (batch.size() == AuditIndex.BATCH) {
          store.insert(batch);
          batch.clear();
        }
      }
      store.insert(batch);
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("live path: %,d entries into an indexed table in %.1f s: %.0f entries/s%n", n, s, n / s);
    }
  }

  /** The live path at scale: {@code m} more entries on top of the built index of {@code n}, then removed again. */
  static void liveOnTop(Path dir, long n, long m) throws Exception {
    try (IndexStore store = IndexStore.open(dir)) {
      if (store.indexed() != n) {
        throw new IllegalStateException("build the index of " + n + " entries first");
      }
      SplittableRandom r = new SplittableRandom(43);
      List<IndexStore.Row> batch = new ArrayList<>(AuditIndex.BATCH);
      long t0 = System.nanoTime();
      for (long i = n; i < n + m; i++) {
        batch.add(row(i, n, r));
        if (batch.size() == AuditIndex.BATCH) {
          store.insert(batch);
          batch.clear();
        }
      }
      store.insert(batch);
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("live path on top of %,d entries: %,d more in %.1f s: %.0f entries/s%n", n, m, s, m / s);
    }
    String url = "jdbc:h2:file:" + dir.resolve(IndexStore.DATABASE).toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
    try (Connection c = DriverManager.getConnection(url); var st = c.createStatement()) {
      st.executeUpdate("DELETE FROM audit_entry WHERE idx >= " + n);
    }
  }

  static IndexStore.Row row(long i, long n, SplittableRandom r) {
    Instant t = START.plusNanos(SPAN.toNanos() / n * i);
    boolean user = r.nextInt(4) == 0;
    int app = skewed(r, APPS);
    return new IndexStore.Row(i, t, i % 2 == 0 ? "inference.request" : "inference.response",
        user ? Actor.Kind.USER : Actor.Kind.APP, user ? null : "app-" + app,
        user ? tag("user-" + skewed(r, USERS)) : null, tag("subject-" + r.nextInt(SUBJECTS)),
        MODELS[skewed(r, MODELS.length)], "req-" + (i / 2), r.nextInt(50) == 0 ? "error" : "ok");
  }

  /** Zipf-like: a few apps, users and models carry most traffic, as in real deployments. */
  static int skewed(SplittableRandom r, int n) {
    return (int) Math.min(n - 1, Math.floor(Math.pow(n, r.nextDouble())) - 1);
  }

  static byte[] tag(String s) {
    return Arrays.copyOf(Integer.toHexString(s.hashCode()).concat("0000000000000000").getBytes(), 16);
  }

  static void build(IndexStore store, long n) throws Exception {
    SplittableRandom r = new SplittableRandom(42);
    long t0 = System.nanoTime();
    store.beginBulkLoad();
    List<IndexStore.Row> batch = new ArrayList<>(AuditIndex.BATCH);
    for (long i = 0; i < n; i++) {
      batch.add(row(i, n, r));
      if (batch.size() == AuditIndex.BATCH) {
        store.insert(batch);
        batch.clear();
      }
      if (i > 0 && i % 1_000_000 == 0) {
        System.out.printf("  %,d entries, %.0f/s%n", i, i / ((System.nanoTime() - t0) / 1e9));
      }
    }
    store.insert(batch);
    double loaded = (System.nanoTime() - t0) / 1e9;
    System.out.printf("loaded %,d rows in %.0f s (%.0f rows/s)%n", n, loaded, n / loaded);
    store.endBulkLoad();
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf("built %,d entries in %.0f s (search indexes %.0f s): %.0f entries/s%n", n, s, s - loaded, n / s);
  }

  record Case(String name, Function<SplittableRandom, AuditQuery> query) {}

  static void queries(IndexStore store, Path dir, long n) throws Exception {
    Instant mid = START.plus(SPAN.dividedBy(2));
    List<Case> cases = List.of(
        new Case("latest page, no filter", r -> AuditQuery.newestFirst()),
        new Case("by request id", r -> AuditQuery.newestFirst().requestId("req-" + r.nextLong(n / 2))),
        new Case("by app (popular)", r -> AuditQuery.newestFirst().app("app-0")),
        new Case("by app (rare)", r -> AuditQuery.newestFirst().app("app-" + (APPS - 1 - r.nextInt(5)))),
        new Case("by user", r -> AuditQuery.newestFirst().user("user-" + r.nextInt(200))),
        new Case("by subject", r -> AuditQuery.newestFirst().subject("subject-" + r.nextInt(SUBJECTS))),
        new Case("by model", r -> AuditQuery.newestFirst().model(MODELS[r.nextInt(MODELS.length)])),
        new Case("by type", r -> AuditQuery.newestFirst().type("inference.response")),
        new Case("status error", r -> AuditQuery.newestFirst().status("error")),
        new Case("one hour, 15 days back", r -> AuditQuery.newestFirst()
            .from(mid.plus(Duration.ofMinutes(r.nextInt(600)))).to(mid.plus(Duration.ofMinutes(r.nextInt(600) + 600)))),
        new Case("app + model + one day", r -> AuditQuery.newestFirst().app("app-" + r.nextInt(3))
            .model(MODELS[r.nextInt(3)]).from(mid).to(mid.plus(Duration.ofDays(1)))),
        new Case("model + status error", r -> AuditQuery.newestFirst().model(MODELS[r.nextInt(MODELS.length)])
            .status("error")),
        new Case("type, oldest first", r -> AuditQuery.oldestFirst().type("inference.request")));
    System.out.printf("%n%d runs per query, page of %d, random parameters, after %d warm-up runs%n", RUNS, PAGE, RUNS / 4);
    System.out.printf("%-26s %10s %10s %8s%n", "query", "median ms", "p99 ms", "rows");
    for (Case c : cases) {
      SplittableRandom r = new SplittableRandom(7);
      measure(c.name(), RUNS, () -> {
        AuditQuery q = c.query().apply(r).limit(PAGE);
        return store.search(q, q.user().map(IndexBenchmark::tag), q.subject().map(IndexBenchmark::tag), PAGE + 1).size();
      });
    }

    // Deep pages: keyset (cursor) against OFFSET, side by side, at the same depths.
    System.out.printf("%nDeep pages of 'by model', newest first: keyset cursor vs OFFSET at the same depth%n");
    System.out.printf("%-26s %10s %10s %8s%n", "depth (entries skipped)", "keyset ms", "OFFSET ms", "ratio");
    String url = "jdbc:h2:file:" + dir.resolve(IndexStore.DATABASE).toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
    try (Connection c = DriverManager.getConnection(url)) {
      for (long depth : new long[] {1_000, 100_000, 1_000_000}) {
        String model = MODELS[0];
        // The cursor at that depth, found once (a console would carry it from the previous page).
        PreparedStatement at = c.prepareStatement("SELECT ts, idx FROM audit_entry USE INDEX (audit_entry_model)"
            + " WHERE model = ? ORDER BY model DESC, ts DESC, idx DESC LIMIT 1 OFFSET ?");
        at.setString(1, model);
        at.setLong(2, depth - 1);
        ResultSet rs = at.executeQuery();
        if (!rs.next()) {
          continue;
        }
        PageCursor cursor = new PageCursor(rs.getLong(1), rs.getLong(2));
        AuditQuery q = AuditQuery.newestFirst().model(model).limit(PAGE).after(cursor);
        double keyset = measure(null, 30, () -> store.search(q, Optional.empty(), Optional.empty(), PAGE + 1).size());
        // A new connection per run, as the keyset search does: within one session H2 hands a
        // re-executed query with unchanged parameters its cached result.
        double offset = measure(null, 5, () -> {
          try (Connection fresh = DriverManager.getConnection(url);
              PreparedStatement off = fresh.prepareStatement("SELECT idx, ts, type FROM audit_entry"
              + " USE INDEX (audit_entry_model) WHERE model = ? ORDER BY model DESC, ts DESC, idx DESC"
              + " LIMIT " + PAGE + " OFFSET ?")) {
            off.setString(1, model);
            off.setLong(2, depth);
            int k = 0;
            try (ResultSet x = off.executeQuery()) {
              while (x.next()) {
                k++;
              }
            }
            if (k != PAGE) {
              throw new IllegalStateException("OFFSET page at depth " + depth + " has " + k + " rows");
            }
            return k;
          }
        });
        System.out.printf("%-26s %10.2f %10.2f %7.0fx%n", String.format("%,d", depth), keyset, offset, offset / keyset);
      }
    }
  }

  interface Run {
    int call() throws Exception;
  }

  /** Runs warm-up then timed runs; prints and returns the median in milliseconds. */
  static double measure(String name, int runs, Run run) throws Exception {
    for (int i = 0; i < Math.max(2, runs / 4); i++) {
      run.call();
    }
    double[] ms = new double[runs];
    int rows = 0;
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      rows += run.call();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    double median = ms[runs / 2];
    if (name != null) {
      System.out.printf("%-26s %10.2f %10.2f %8.1f%n", name, median, ms[(int) Math.ceil(runs * 0.99) - 1],
          rows / (double) runs);
    }
    return median;
  }

}
