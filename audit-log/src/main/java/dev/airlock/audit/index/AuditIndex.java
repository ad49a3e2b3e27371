package dev.airlock.audit.index;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AppendedEntry;
import dev.airlock.audit.AuditLeaf;
import dev.airlock.audit.AuditListener;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditRecord;
import dev.airlock.audit.Erasure;
import dev.airlock.audit.RecordSummary;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Finds audit entries fast, without reading the log: by time range, type, app, user, subject,
 * model, request id and status, a keyset page at a time ({@link #search}). Payloads are not in the
 * index; {@link #read} opens one from the log under an explicit {@link PayloadAccess}.
 *
 * <p>The index is derived data in an H2 file under {@code <log dir>/index}. It follows the log as
 * an {@link AuditListener} and writes on its own thread, so it never blocks or fails an append; on
 * open, and whenever it missed events (a full queue, a failed write), it reads what it lacks back
 * from the log. Every {@link QueryPage} says how far behind the log the index was. Users and
 * subjects are stored only as the log's pseudonymous tags, and an erasure also forgets which user
 * acted in the erased subject's records. Delete the directory (server stopped) or call
 * {@link #rebuild} to build it again from the log.
 */
public final class AuditIndex implements AutoCloseable {
  /** The index's subdirectory inside the log directory. */
  public static final String DIRECTORY = "index";

  /** Events buffered between the log's listener thread and the index writer; beyond it, read back from the log. */
  static final int QUEUE = 65_536;

  /** Rows per transaction: large enough to amortise the commit, small enough to keep the lag short. */
  static final int BATCH = 2_000;

  /**
   * After the first event of a batch, how long the writer lets more arrive before it commits: under
   * load that turns hundreds of small transactions a second into a few large ones (each commit
   * rewrites B-tree pages of all eight indexes), for a search lag that nobody can notice.
   */
  static final Duration LINGER = Duration.ofMillis(20);

  /** How long the writer waits for events before it checks the log for entries it has not seen. */
  static final Duration IDLE_WAIT = Duration.ofMillis(100);

  /**
   * Behind the log by more than this many entries and by more than it already holds (a rebuild, a
   * long outage), the index drops its search indexes, loads the rows and builds them again over the
   * whole table: several times faster than row by row then. A lag smaller than the table goes row by
   * row, since rebuilding costs in proportion to everything indexed so far.
   */
  static final long BULK_THRESHOLD = 200_000;

  /**
   * Tasks waiting for a core more than this share of the time since the writer's last batch: the
   * cores are saturated, and the writer waits before its next batch (see {@link #yieldWhileCoresBusy}).
   */
  static final double BUSY_PRESSURE = 0.5;

  /** How long the writer sleeps between looks at the cores while they are busy. */
  static final Duration YIELD_STEP = Duration.ofMillis(100);

  /** Longest the writer waits for busy cores before it writes one batch anyway: the index never stops. */
  static final Duration MAX_YIELD = Duration.ofSeconds(2);

  /** Longest wait between retries after the index database failed (e.g. a full disk). */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private static final Logger LOG = System.getLogger(AuditIndex.class.getName());
  private static final byte[] NO_SUBJECT = new byte[AuditLeaf.TAG_BYTES];

  private final AuditLog log;
  final IndexStore store;
  private final BlockingQueue<Pending> queue;
  private final ConcurrentLinkedQueue<Erasure> erasures = new ConcurrentLinkedQueue<>();
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private final AuditListener listener;
  private final Thread writer;
  private volatile long indexed;
  private volatile boolean rebuildRequested;
  private volatile boolean closed;
  /** Held by tests to stop the writer, standing in for a slow or failing index database. */
  final java.util.concurrent.Semaphore writes = new java.util.concurrent.Semaphore(1);
  /** {@link #BULK_THRESHOLD}, lowered by tests. */
  volatile long bulkThreshold = BULK_THRESHOLD;
  /** Bulk loads begun, for tests. */
  volatile int bulkLoads;
  /** Entries read back from the log instead of taken from the queue, for tests. */
  volatile long readBack;
  /** The last entry the log's listener thread handed over (queued or dropped), for tests. */
  volatile long lastHeard = -1;
  /** Whether the cores are saturated; replaced by tests. */
  volatile BooleanSupplier coresBusy = new CpuPressure(CpuPressure.PROC, BUSY_PRESSURE)::busy;
  /** {@link #MAX_YIELD}, changed by tests. */
  volatile Duration maxYield = MAX_YIELD;

  private AuditIndex(AuditLog log, IndexStore store, int queueCapacity) throws SQLException {
    this.log = log;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.store = store;
    this.indexed = store.indexed();
    this.listener = new AuditListener() {
      @Override
      public void onAppended(AppendedEntry entry) {
        // Dropped when full: the writer reads missing entries back from the log.
        queue.offer(Pending.of(entry));
        lastHeard = entry.index();
      }

      @Override
      public void onErased(Erasure erasure) {
        erasures.add(erasure);
      }
    };
    this.writer = Thread.ofPlatform().name("audit-index-writer").daemon().unstarted(this::run);
  }

  /**
   * Opens (creating if needed) the index of {@code log} and starts following it; entries the index
   * lacks are read from the log in the background.
   *
   * @throws IndexUnavailableException if the index database cannot be opened; the log is unaffected
   */
  public static AuditIndex open(AuditLog log) {
    return open(log, QUEUE);
  }

  /** {@link #open(AuditLog)} with another queue capacity, for tests. */
  static AuditIndex open(AuditLog log, int queueCapacity) {
    Path dir = log.directory().resolve(DIRECTORY);
    try {
      Files.createDirectories(dir);
      AuditIndex index = new AuditIndex(log, IndexStore.open(dir), queueCapacity);
      if (index.indexed > log.size()) {
        // An index of a longer log (e.g. a restored backup of the log): start again.
        index.store.clear();
        index.indexed = 0;
      }
      log.subscribe(index.listener);
      index.writer.start();
      return index;
    } catch (SQLException | java.io.IOException e) {
      throw new IndexUnavailableException("cannot open the audit index in " + dir + ": " + e.getMessage()
          + "; the log itself is fine: delete that directory (server stopped) to rebuild the index from the log", e);
    }
  }

  /** One page of entries matching every filter of {@code query}, and how far behind the log the index was. */
  public QueryPage search(AuditQuery query) {
    long n = indexed;
    long logSize = log.size();
    Optional<byte[]> user = query.user().map(this::tag);
    Optional<byte[]> subject = query.subject().map(this::tag);
    try {
      List<IndexedEntry> rows = store.search(query, user, subject, query.limit() + 1);
      Optional<PageCursor> next = Optional.empty();
      if (rows.size() > query.limit()) {
        rows = rows.subList(0, query.limit());
        next = Optional.of(rows.get(rows.size() - 1).cursor());
      }
      return new QueryPage(rows, next, n, logSize);
    } catch (SQLException e) {
      throw new IndexUnavailableException("the audit index cannot answer: " + e.getMessage()
          + "; entries are safe in the log, and the index can be rebuilt from it", e);
    }
  }

  /** What {@link #countByDay} groups by. */
  public enum GroupBy {
    /** The entry's model id. */
    MODEL,
    /** The app that acted (entries of users and the system are left out). */
    APP
  }

  /**
   * Entries of {@code type} with a time in {@code [from, to)}, counted per UTC day and per model or
   * app, ordered by day then group; days and groups without entries are absent. For charts, e.g.
   * requests per day and model.
   */
  public List<DayCount> countByDay(String type, Instant from, Instant to, GroupBy group) {
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("the time range is empty: 'from' (" + from + ", inclusive) must be before 'to' ("
          + to + ", exclusive)");
    }
    try {
      return store.countByDay(type, from, to, group);
    } catch (SQLException e) {
      throw new IndexUnavailableException("the audit index cannot answer: " + e.getMessage()
          + "; entries are safe in the log, and the index can be rebuilt from it", e);
    }
  }

  /**
   * The record at {@code index} with its payload and personal fields decrypted, if the server's
   * grant covers its type; empty when its data key was destroyed (erasure, retention).
   *
   * @throws PayloadAccessDeniedException if {@code access} does not cover the record's type
   */
  public Optional<AuditRecord> read(long index, PayloadAccess access) {
    String type = AuditLeaf.decode(log.leaf(index)).type();
    if (!access.covers(type)) {
      throw new PayloadAccessDeniedException("entry " + index + " is a '" + type + "' record, which the grant to '"
          + access.grantee() + "' (" + access.purpose() + ") does not cover; it covers " + access.types().stream().sorted().toList());
    }
    return log.decrypt(index);
  }

  /** Entries indexed so far (log indexes 0 .. indexed-1) and the log's size, for a lag metric. */
  public IndexStatus status() {
    return new IndexStatus(indexed, log.size(), Optional.ofNullable(lastError.get()), store.bulkLoading());
  }

  /** Waits until the index holds every entry the log held when called; true if it got there in time. */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    long target = log.size();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (indexed < target || rebuildRequested || store.bulkLoading()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** Empties the index and builds it again from the log, in the background; searches say how far it got. */
  public void rebuild() {
    rebuildRequested = true;
  }

  @Override
  public void close() {
    closed = true;
    log.unsubscribe(listener);
    try {
      writer.join(MAX_BACKOFF.toMillis() * 2);
      store.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (SQLException e) {
      LOG.log(Level.WARNING, "closing the audit index: " + e.getMessage());
    }
  }

  private byte[] tag(String plaintext) {
    return HexFormat.of().parseHex(log.subjectTag(plaintext));
  }

  // --- the writer thread

  private void run() {
    BackgroundPriority.lowerCurrentThread();
    long backoff = 100;
    boolean indexesChecked = false;
    while (!closed) {
      try {
        if (!indexesChecked || store.bulkLoading()) {
          // Finishes a bulk load that a crash, a stop or a failed step interrupted; a no-op otherwise.
          store.endBulkLoad();
          indexesChecked = true;
        }
        if (rebuildRequested) {
          store.clear();
          queue.clear();
          indexed = 0;
          rebuildRequested = false;
        }
        writes.acquireUninterruptibly();
        try {
          step();
        } finally {
          writes.release();
        }
        backoff = 100;
        lastError.set(null);
      } catch (SQLException | RuntimeException e) {
        lastError.set(e.getMessage());
        LOG.log(Level.WARNING, "audit index update failed, retrying in " + backoff + " ms (appends are unaffected): "
            + e.getMessage());
        try {
          Thread.sleep(backoff);
          // After a failed transaction, the table says where to resume.
          indexed = store.indexed();
        } catch (InterruptedException ie) {
          return;
        } catch (SQLException again) {
          // still failing; try again after the next backoff
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
        indexesChecked = false;
      }
    }
  }

  /** Indexes one batch: queued entries in order, filling any hole from the log. */
  private void step() throws SQLException {
    long behind = log.size() - indexed;
    if (behind > bulkThreshold && behind > indexed) {
      bulkCatchUp();
      return;
    }
    List<Pending> events = new ArrayList<>();
    try {
      Pending first = queue.poll(IDLE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (first != null) {
        events.add(first);
        if (queue.size() < BATCH - 1) {
          Thread.sleep(LINGER.toMillis());
        }
        queue.drainTo(events, BATCH - 1);
      }
    } catch (InterruptedException e) {
      closed = true;
      return;
    }
    long next = indexed;
    List<IndexStore.Row> rows = new ArrayList<>();
    for (Pending e : events) {
      if (e.index() < next) {
        continue;
      }
      if (e.index() > next) {
        fromLog(next, e.index(), rows);
      }
      rows.add(row(e));
      next = e.index() + 1;
      flushIfFull(rows);
    }
    if (events.isEmpty() && next < log.size()) {
      fromLog(next, Math.min(log.size(), next + BATCH), rows);
    }
    flush(rows);
    for (Erasure e; (e = erasures.peek()) != null && e.index() < indexed; erasures.poll()) {
      if (e.subjectTag().isPresent()) {
        store.forgetUsersOf(HexFormat.of().parseHex(e.subjectTag().get()));
      }
    }
  }

  /** Loads everything the log holds now without search indexes, then builds them. */
  private void bulkCatchUp() throws SQLException {
    long target = log.size();
    LOG.log(Level.INFO, "audit index is " + (target - indexed) + " entries behind the log: bulk loading");
    bulkLoads++;
    store.beginBulkLoad();
    List<IndexStore.Row> rows = new ArrayList<>();
    while (indexed < target && !closed && !rebuildRequested) {
      fromLog(indexed, Math.min(target, indexed + BATCH), rows);
      flush(rows);
    }
    store.endBulkLoad();
  }

  /** Rows for entries {@code [from, to)} read back from the log; user ids come from decrypting. */
  private void fromLog(long from, long to, List<IndexStore.Row> rows) throws SQLException {
    readBack += to - from;
    for (long i = from; i < to; i++) {
      AuditLeaf leaf = AuditLeaf.decode(log.leaf(i));
      Optional<String> user = leaf.actorKind() == Actor.Kind.USER
          ? log.decrypt(i).map(r -> r.actor().id())
          : Optional.empty();
      rows.add(row(i, leaf, user));
      flushIfFull(rows);
    }
  }

  private void flushIfFull(List<IndexStore.Row> rows) throws SQLException {
    if (rows.size() >= BATCH) {
      flush(rows);
    }
  }

  private void flush(List<IndexStore.Row> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    yieldWhileCoresBusy();
    store.insert(rows);
    indexed = rows.get(rows.size() - 1).idx() + 1;
    rows.clear();
  }

  /**
   * Waits while the machine's cores are saturated, up to {@link #MAX_YIELD}. The idle scheduling
   * class alone did not keep the writer off them: with the log on a disk, under saturation, it
   * still took a quarter of a 2-core machine while the event loops waited for a core more than
   * half of the time (measured with /proc/PID/task/TID/schedstat). Whether the cores are busy comes
   * from Linux's CPU pressure ({@link CpuPressure}), measured over the time since the previous
   * batch, the batch included, and then over each wait.
   */
  private void yieldWhileCoresBusy() {
    long deadline = System.nanoTime() + maxYield.toNanos();
    try {
      while (!closed && !rebuildRequested && System.nanoTime() < deadline && coresBusy.getAsBoolean()) {
        Thread.sleep(YIELD_STEP.toMillis());
      }
    } catch (InterruptedException e) {
      closed = true;
    }
  }

  /** The row of an entry taken from the queue: the same as {@link #fromLog} makes of it, without its leaf. */
  private IndexStore.Row row(Pending e) {
    Actor actor = e.actor();
    return new IndexStore.Row(e.index(), e.time(), e.type(), actor.kind(), actor.isPersonal() ? null : actor.id(),
        actor.isPersonal() ? tag(actor.id()) : null, e.subject() == null ? null : tag(e.subject()), e.model(),
        e.requestId(), e.status());
  }

  /**
   * What the writer needs of an appended entry, kept instead of the entry: a lagging index holds up
   * to {@link #QUEUE} of them, and each young collection of the server's heap copies whatever waits
   * there. The entry's leaf (with its sealed payload) and its summary's maps were most of that.
   * An empty model or request id is none, as in a leaf.
   */
  private record Pending(long index, Instant time, String type, Actor actor, String subject, String model,
      String requestId, String status) {
    static Pending of(AppendedEntry e) {
      RecordSummary s = e.summary();
      return new Pending(e.index(), s.time(), s.type(), s.actor(), s.subject().orElse(null),
          s.model().filter(m -> !m.isEmpty()).orElse(null), s.requestId().filter(r -> !r.isEmpty()).orElse(null),
          s.status());
    }
  }

  private IndexStore.Row row(long index, AuditLeaf leaf, Optional<String> userId) {
    byte[] subject = Arrays.equals(leaf.subjectTag(), NO_SUBJECT) ? null : leaf.subjectTag();
    return new IndexStore.Row(index, leaf.time(), leaf.type(), leaf.actorKind(), leaf.actorId().orElse(null),
        userId.map(this::tag).orElse(null), subject, leaf.model().orElse(null), leaf.requestId().orElse(null),
        leaf.status());
  }
}
