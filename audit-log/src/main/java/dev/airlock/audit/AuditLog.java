package dev.airlock.audit;

import dev.airlock.audit.note.CheckpointBody;
import dev.airlock.audit.note.NoteFormatException;
import dev.airlock.audit.note.NoteVerificationException;
import dev.airlock.audit.proof.ConsistencyProof;
import dev.airlock.audit.proof.InclusionProof;
import dev.airlock.audit.proof.ProofBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The tamper-evident audit log of one appliance: an append-only RFC 9162 Merkle tree over
 * {@link AuditLeaf} entries, stored in segment files, with signed checkpoints.
 *
 * <pre>{@code
 * try (AuditLog log = AuditLog.open(AuditLog.directoryIn(dataDir), keys, AuditLogOptions.defaults())) {
 *   long index = log.append(AuditRecord.builder("inference.request")
 *       .actor(Actor.app("crm")).subject("alice").model("llama-3-8b").requestId("r-1")
 *       .payload(promptJson).build());          // durable when this returns
 *   InclusionProof proof = log.proveInclusion(index, log.latestCheckpoint().orElseThrow().size());
 * }
 * }</pre>
 *
 * <p>Promises: {@link #append} returns only once the entry is fsync'd (concurrent appends share
 * fsyncs); after a crash at any point, {@link #open} truncates a torn tail and rebuilds the tree,
 * and no acknowledged entry is lost; proofs cost O(log n) stored hashes; {@link #erase} makes a
 * subject's payloads unreadable without changing any leaf, root or proof. Thread-safe.
 *
 * <p>Only one process may open a log for writing; readers ({@code airlock audit verify/export/prove})
 * use {@link AuditLogReader}, which takes no lock and never writes.
 */
public final class AuditLog implements AutoCloseable {
  /** The log's subdirectory inside the appliance data directory. */
  public static final String DIRECTORY = "audit";

  /** Held (OS file lock) by the one process that writes the log; readers never touch it. */
  static final String LOCK_FILE = "writer.lock";

  /** Upper bound on entries per group commit: about 4 MiB of 1 KiB leaves per write call. */
  private static final int MAX_BATCH = 4096;

  private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());

  /** Retention is exact to the day (keys are per day); hourly sweeps keep the lag far below that. */
  static final java.time.Duration RETENTION_SWEEP_INTERVAL = java.time.Duration.ofHours(1);

  private sealed interface Work permits Append, Command {}

  /** An entry on its way in; the appending thread did the hashing and framing. */
  private record Append(byte[] leaf, byte[] frame, byte[] leafHash, RecordSummary summary, CompletableFuture<Long> done)
      implements Work {
    static Append of(byte[] leaf, RecordSummary summary) {
      return new Append(leaf, Frames.frame(leaf), MerkleHash.leaf(leaf), summary, new CompletableFuture<>());
    }
  }

  private record Command(Supplier<Object> action, CompletableFuture<Object> done) implements Work {}

  private final Path dir;
  private final AuditKeys keys;
  private final AuditLogOptions options;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final SegmentStore segments;
  private final TreeStore tree;
  private final CheckpointStore checkpoints;
  private final KeyRing keyRing;
  private final RecordSealer sealer;
  private final BlockingQueue<Work> queue = new LinkedBlockingQueue<>();
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  private final List<ListenerDispatch> listeners = new CopyOnWriteArrayList<>();
  private final Thread writer;
  private volatile long size;
  private volatile boolean closed;
  /** Set after an fsync failure: the state of the page cache is then unknown, so stop. */
  private volatile String broken;
  // Writer-thread state.
  private boolean stopping;
  private long lastCheckpointSize = -1;
  private long lastCheckpointNanos = System.nanoTime();
  /** Set so that the first sweep runs right after open. */
  private long lastSweepNanos = System.nanoTime() - RETENTION_SWEEP_INTERVAL.toNanos();
  /** Writer thread: set when a record written was already past its retention period, so the sweep runs at once. */
  private boolean sweepRequested;

  private AuditLog(Path dir, AuditKeys keys, AuditLogOptions options, FileChannel lockChannel, FileLock lock,
      SegmentStore segments, TreeStore tree, CheckpointStore checkpoints, KeyRing keyRing) {
    this.dir = dir;
    this.keys = keys;
    this.options = options;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.segments = segments;
    this.tree = tree;
    this.checkpoints = checkpoints;
    this.keyRing = keyRing;
    this.sealer = new RecordSealer(keyRing, keys.tagKey());
    this.size = segments.size();
    Checkpoint latest = checkpoints.latest();
    this.lastCheckpointSize = latest == null ? -1 : latest.size();
    this.writer = Thread.ofPlatform().name("audit-log-writer").daemon().unstarted(this::writeLoop);
  }

  /** Where the log lives inside an appliance data directory: {@code <dataDir>/audit}. */
  public static Path directoryIn(Path dataDir) {
    return dataDir.resolve(DIRECTORY);
  }

  /**
   * Opens (creating if needed) the log in {@code directory}, recovering from any crash, and appends
   * the records {@link PendingRecords#leave} left there while it was closed.
   *
   * @throws AuditLogException if the files are damaged beyond a torn tail (a missing segment, a
   *     bad entry before the end, segments shorter than a signed checkpoint); the message names the
   *     file and index, and nothing is changed
   */
  public static AuditLog open(Path directory, AuditKeys keys, AuditLogOptions options) {
    FileChannel lockChannel = null;
    try {
      Files.createDirectories(directory);
      lockChannel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new AuditLogException("another process (or another AuditLog in this one) already writes the audit log in "
            + directory + "; only one writer may open it (readers such as 'airlock audit verify' need no lock)");
      }
      List<java.io.Closeable> opened = new ArrayList<>();
      KeyRing keyRing;
      SegmentStore segments;
      CheckpointStore checkpoints;
      TreeStore tree;
      try {
        keyRing = keep(opened, KeyRing.open(directory, keys.wrapKey()));
        segments = keep(opened, SegmentStore.openForWriting(directory, options.segmentBytes()));
        checkpoints = keep(opened, CheckpointStore.openForWriting(directory));
        tree = keep(opened, TreeStore.open(directory, true));
        recoverTree(directory, keys, segments, checkpoints, tree);
      } catch (IOException | RuntimeException e) {
        for (java.io.Closeable c : opened) {
          try {
            c.close();
          } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw e;
      }
      AuditLog log = new AuditLog(directory, keys, options, lockChannel, lock, segments, tree, checkpoints, keyRing);
      SegmentStore.Recovery r = segments.recovery();
      if (r.tornBytesRemoved() > 0) {
        LOG.log(System.Logger.Level.WARNING, "audit log {0}: removed a torn tail of {1} bytes after entry {2} "
            + "(an interrupted write that was never acknowledged)", directory, r.tornBytesRemoved(), r.entries());
      }
      log.writer.start();
      try {
        PendingRecords.appendAll(log, directory);
      } catch (IOException | RuntimeException e) {
        log.close();
        throw new AuditLogException("cannot append the records left in " + directory.resolve(PendingRecords.DIRECTORY)
            + " while the log was closed: " + e.getMessage() + "; they stay there for the next start", e);
      }
      return log;
    } catch (IOException e) {
      closeQuietly(lockChannel);
      throw new AuditLogException("cannot open the audit log in " + directory + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(lockChannel);
      throw e;
    }
  }

  private static <T extends java.io.Closeable> T keep(List<java.io.Closeable> opened, T c) {
    opened.add(c);
    return c;
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing more to release
      }
    }
  }

  /** Keeps the stored tree up to the last checkpoint that vouches for it; recomputes the rest. */
  private static void recoverTree(Path dir, AuditKeys keys, SegmentStore segments, CheckpointStore checkpoints,
      TreeStore tree) throws IOException {
    long n = segments.size();
    Checkpoint latest = checkpoints.latest();
    if (latest != null) {
      if (!latest.origin().equals(keys.origin())) {
        throw new AuditLogException("the audit log in " + dir + " belongs to origin '" + latest.origin()
            + "' but the key file is for '" + keys.origin() + "'; use that log's own key file");
      }
      try {
        keys.signer().verifier().verify(latest.signedNote());
      } catch (NoteFormatException | NoteVerificationException e) {
        throw new AuditLogException("the latest checkpoint in " + dir + " is not signed by this log's key ("
            + e.getMessage() + "); use the log's own key file, or run 'airlock audit verify'");
      }
      if (latest.size() > n) {
        throw new AuditLogException("the latest signed checkpoint covers " + latest.size() + " entries but the segments in "
            + dir + " hold only " + n + ": entries " + n + ".." + (latest.size() - 1)
            + " were lost after they were acknowledged; restore the segments from backup");
      }
    }
    long trusted = 0;
    if (latest != null && latest.size() > 0) {
      try {
        boolean complete = true;
        for (int l = 0; l < TreeStore.MAX_LEVELS && (latest.size() >>> l) > 0; l++) {
          complete &= tree.stored(l) >= (latest.size() >>> l);
        }
        byte[] stored = complete ? ProofBuilder.root(tree, latest.size()) : null;
        if (stored != null && MessageDigest.isEqual(stored, latest.rootHash())) {
          trusted = latest.size();
        }
      } catch (RuntimeException e) {
        trusted = 0; // incomplete tree files: rebuild them from the leaves
      }
    }
    tree.resetTo(trusted);
    final int chunk = 4096;
    for (long i = trusted; i < n; i += chunk) {
      List<byte[]> hashes = new ArrayList<>(chunk);
      for (long j = i; j < Math.min(n, i + chunk); j++) {
        hashes.add(MerkleHash.leaf(segments.read(j)));
      }
      tree.append(hashes);
    }
    if (latest != null && latest.size() > 0
        && !MessageDigest.isEqual(ProofBuilder.root(tree, latest.size()), latest.rootHash())) {
      throw new AuditLogException("the entries in " + dir + " do not match the signed checkpoint at size "
          + latest.size() + ": the segments were altered; run 'airlock audit verify' to find the first bad entry");
    }
  }

  /**
   * Encrypts the record's personal fields and payload, appends the leaf and returns its index once
   * it is durable on disk.
   *
   * @throws AuditLogException when the entry could not be made durable (disk full, I/O error, log
   *     closed): the entry is then not in the log and callers must fail closed
   */
  public long append(AuditRecord record) {
    return await(appendAsync(record));
  }

  /**
   * {@link #append} without waiting: the sealing is done on the calling thread, and the future
   * completes with the entry's index once it is durable on disk, on the log's writer thread (so
   * dependent work that may take time belongs on the caller's own executor, e.g.
   * {@code whenCompleteAsync(.., executor)}, or it holds up the next group commit).
   *
   * <p>The future fails with {@link AuditLogException} in every case where {@link #append} throws
   * it; the entry is then not in the log and callers must fail closed.
   */
  public CompletableFuture<Long> appendAsync(AuditRecord record) {
    try {
      byte[] leaf = sealer.sealEncoded(record);
      if (leaf.length > Frames.MAX_CONTENT) {
        throw new AuditLogException("a " + record.type() + " record of " + leaf.length + " bytes is larger than the "
            + Frames.MAX_CONTENT + " bytes an entry may hold; nothing was recorded. Keep large bodies elsewhere and "
            + "record their digest");
      }
      Append a = Append.of(leaf, record.summary());
      enqueue(a);
      return a.done();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void enqueue(Work w) {
    gate.readLock().lock();
    try {
      if (closed) {
        throw new AuditLogException("the audit log in " + dir + " is closed; nothing was recorded");
      }
      String b = broken;
      if (b != null) {
        throw new AuditLogException(b);
      }
      queue.add(w);
    } finally {
      gate.readLock().unlock();
    }
  }

  private static <T> T await(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new AuditLogException(String.valueOf(e.getCause()), e.getCause());
    }
  }

  @SuppressWarnings("unchecked")
  private <T> T onWriter(Supplier<T> action) {
    Command c = new Command((Supplier<Object>) action, new CompletableFuture<>());
    enqueue(c);
    return (T) await(c.done());
  }

  /** Number of durable entries. */
  public long size() {
    return size;
  }

  /** The directory the log lives in. */
  public Path directory() {
    return dir;
  }

  /** The verifier key of this log's checkpoints ({@code origin+keyid+base64(0x01||key)}). */
  public String verifierKey() {
    return keys.verifierKey();
  }

  /**
   * The pseudonymous tag (hex) that leaves carry for {@code subject}, HMAC-SHA256 under the log's
   * tag key, truncated to {@link AuditLeaf#TAG_BYTES}: lets the query index find a subject's (or a
   * user's) records without storing who they are.
   */
  public String subjectTag(String subject) {
    return HexFormat.of().formatHex(sealer.tag(subject));
  }

  /** The exact leaf bytes at {@code index} (checked against their checksum). */
  public byte[] leaf(long index) {
    requireIndex(index);
    try {
      return segments.read(index);
    } catch (IOException e) {
      throw new AuditLogException("cannot read entry " + index + " of the audit log in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void requireIndex(long index) {
    long n = size;
    if (index < 0 || index >= n) {
      throw new IndexOutOfBoundsException("entry " + index + " is not in the log (it holds entries 0.." + (n - 1) + ")");
    }
  }

  /**
   * The record at {@code index} with its personal fields and payload decrypted, or empty when its
   * data key was destroyed (erasure or retention).
   */
  public Optional<AuditRecord> decrypt(long index) {
    return sealer.open(AuditLeaf.decode(leaf(index)));
  }

  /** The newest signed checkpoint, if any was written yet. */
  public Optional<Checkpoint> latestCheckpoint() {
    return Optional.ofNullable(checkpoints.latest());
  }

  /** Every checkpoint ever written, oldest first. */
  public List<Checkpoint> checkpoints() {
    return checkpoints.all();
  }

  /** Signs a checkpoint of the current tree now (if the tree grew since the last one) and returns the latest. */
  public Checkpoint checkpoint() {
    return onWriter(() -> {
      try {
        writeCheckpoint();
      } catch (IOException e) {
        throw new AuditLogException("cannot write a checkpoint in " + dir + ": " + e.getMessage(), e);
      }
      return checkpoints.latest();
    });
  }

  /** The RFC 9162 root of the first {@code treeSize} entries. */
  public byte[] rootHash(long treeSize) {
    requireSize(treeSize);
    return ProofBuilder.root(tree, treeSize);
  }

  private void requireSize(long treeSize) {
    long n = size;
    if (treeSize < 0 || treeSize > n) {
      throw new IllegalArgumentException("tree size " + treeSize + " is not between 0 and the log's size " + n);
    }
  }

  /** Inclusion proof of entry {@code index} in the tree of {@code treeSize} entries. */
  public InclusionProof proveInclusion(long index, long treeSize) {
    requireSize(treeSize);
    return ProofBuilder.inclusion(tree, index, treeSize);
  }

  /** Consistency proof between the trees of {@code size1} and {@code size2} entries. */
  public ConsistencyProof proveConsistency(long size1, long size2) {
    requireSize(size2);
    return ProofBuilder.consistency(tree, size1, size2);
  }

  /**
   * Destroys every data key of {@code subject}, then appends an {@code audit.erasure} record (which
   * names the subject only by its tag). The subject's payloads, user ids and subject fields become
   * unreadable; every leaf, root and proof stays valid.
   */
  public Erasure erase(String subject) {
    if (subject.isEmpty()) {
      throw new IllegalArgumentException("subject to erase must not be empty");
    }
    return onWriter(() -> {
      byte[] tag = sealer.tag(subject);
      String tagHex = HexFormat.of().formatHex(tag);
      int destroyed;
      try {
        destroyed = keyRing.destroySubject(tag);
      } catch (IOException e) {
        throw new AuditLogException("could not destroy the data keys of the subject: " + e.getMessage()
            + "; nothing was erased, retry when the audit volume is writable", e);
      }
      long index = appendOnWriter(AuditRecord.builder(AuditRecord.TYPE_ERASURE)
          .time(options.clock().instant()).actor(Actor.system("audit-log"))
          .indexField("subject_tag", tagHex).indexField("keys_destroyed", Integer.toString(destroyed)).build());
      Erasure e = new Erasure(index, Optional.of(subject), Optional.of(tagHex), destroyed);
      listeners.forEach(l -> l.erased(e));
      return e;
    });
  }

  /**
   * Destroys the data keys of records past their type's retention period
   * ({@link AuditLogOptions#retention()}) and, if any were destroyed, appends an
   * {@code audit.retention} record.
   */
  public Optional<Erasure> enforceRetention() {
    return onWriter(this::sweepRetention);
  }

  /** Writer thread: destroys expired data keys and records that it did. */
  private Optional<Erasure> sweepRetention() {
    lastSweepNanos = System.nanoTime();
    int destroyed;
    try {
      destroyed = keyRing.destroyExpired(options.retention(),
          options.clock().instant().atOffset(ZoneOffset.UTC).toLocalDate());
    } catch (IOException e) {
      throw new AuditLogException("could not destroy expired data keys: " + e.getMessage(), e);
    }
    if (destroyed == 0) {
      return Optional.empty();
    }
    long index = appendOnWriter(AuditRecord.builder(AuditRecord.TYPE_RETENTION)
        .time(options.clock().instant()).actor(Actor.system("audit-log"))
        .indexField("keys_destroyed", Integer.toString(destroyed))
        .indexField("types", String.join(",", options.retention().keySet().stream().sorted().toList())).build());
    Erasure e = new Erasure(index, Optional.empty(), Optional.empty(), destroyed);
    listeners.forEach(l -> l.erased(e));
    return Optional.of(e);
  }

  private boolean pastRetention(RecordSummary r) {
    java.time.Duration keep = options.retention().get(r.type());
    return keep != null && r.time().isBefore(options.clock().instant().minus(keep));
  }

  /** Writer thread: the periodic retention sweep, when the log has retention periods. */
  private void maybeSweepRetention() {
    if (options.retention().isEmpty()
        || (!sweepRequested && System.nanoTime() - lastSweepNanos < RETENTION_SWEEP_INTERVAL.toNanos())) {
      return;
    }
    sweepRequested = false;
    try {
      sweepRetention();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "audit log " + dir + ": retention sweep failed, retried later: "
          + e.getMessage());
    }
  }

  /** Registers a listener for entries appended from now on; see {@link AuditListener} for the contract. */
  public void subscribe(AuditListener listener) {
    listeners.add(new ListenerDispatch(listener, options.listenerQueue()));
  }

  public void unsubscribe(AuditListener listener) {
    for (ListenerDispatch d : listeners) {
      if (d.listener == listener) {
        listeners.remove(d);
        d.stop(1000);
      }
    }
  }

  /** Writes a final checkpoint, drains listeners briefly and closes the files. */
  @Override
  public void close() {
    gate.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(new Command(() -> {
        stopping = true;
        return null;
      }, new CompletableFuture<>()));
    } finally {
      gate.writeLock().unlock();
    }
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ListenerDispatch d : listeners) {
      d.stop(2000);
    }
    try (lockChannel; segments; tree; checkpoints; keyRing) {
      lock.release();
    } catch (IOException e) {
      throw new UncheckedIOException("closing the audit log in " + dir, e);
    }
  }

  // ---- the writer thread ----

  private void writeLoop() {
    List<Work> work = new ArrayList<>(MAX_BATCH);
    List<Append> batch = new ArrayList<>(MAX_BATCH);
    try {
      while (!stopping) {
        Work first = queue.poll(millisUntilDue(), TimeUnit.MILLISECONDS);
        if (first == null) {
          maybeCheckpoint();
          maybeSweepRetention();
          continue;
        }
        work.add(first);
        queue.drainTo(work, MAX_BATCH - 1);
        for (Work w : work) {
          switch (w) {
            case Append a -> {
              batch.add(a);
              sweepRequested |= pastRetention(a.summary());
            }
            case Command c -> {
              flush(batch);
              runCommand(c);
            }
          }
        }
        flush(batch);
        work.clear();
        maybeCheckpoint();
        maybeSweepRetention();
      }
      try {
        writeCheckpoint();
      } catch (IOException e) {
        LOG.log(System.Logger.Level.ERROR, "audit log " + dir + ": could not write the closing checkpoint", e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      failRemaining("the audit log in " + dir + " is closed; nothing was recorded");
    }
  }

  private void failRemaining(String message) {
    Work w;
    while ((w = queue.poll()) != null) {
      switch (w) {
        case Append a -> a.done().completeExceptionally(new AuditLogException(message));
        case Command c -> c.done().completeExceptionally(new AuditLogException(message));
      }
    }
  }

  private void runCommand(Command c) {
    try {
      c.done().complete(c.action().get());
    } catch (RuntimeException e) {
      c.done().completeExceptionally(e);
    }
  }

  /** Appends one record from the writer thread itself (erasure and retention records). */
  private long appendOnWriter(AuditRecord r) {
    Append a = Append.of(sealer.sealEncoded(r), r.summary());
    List<Append> one = new ArrayList<>(List.of(a));
    flush(one);
    return await(a.done());
  }

  /** Group commit: one write and one fsync for the whole batch, then every appender is released. */
  private void flush(List<Append> batch) {
    if (batch.isEmpty()) {
      return;
    }
    String b = broken;
    if (b != null) {
      fail(batch, b, null);
      return;
    }
    SegmentStore.Mark sm = null;
    TreeStore.Mark tm = tree.mark();
    List<byte[]> frames = new ArrayList<>(batch.size());
    List<byte[]> hashes = new ArrayList<>(batch.size());
    for (Append a : batch) {
      frames.add(a.frame());
      hashes.add(a.leafHash());
    }
    long base = size;
    long bytes;
    try {
      keyRing.flushPending();
      sm = segments.begin();
      bytes = segments.write(sm, frames);
      tree.append(hashes);
    } catch (IOException | RuntimeException e) {
      if (sm != null) {
        segments.rollback(sm);
      }
      tree.rollback(tm);
      fail(batch, "could not record " + batch.size() + " audit entr" + (batch.size() == 1 ? "y" : "ies") + " in " + dir
          + ": " + describe(e) + ". Nothing was recorded; free space on the audit volume or fix the error, then retry", e);
      return;
    }
    try {
      segments.force(sm);
    } catch (IOException e) {
      segments.rollback(sm);
      tree.rollback(tm);
      broken = "the audit log in " + dir + " stopped accepting entries after an fsync failure (" + describe(e)
          + "); restart Airlock so that the log is recovered from what is really on disk";
      fail(batch, broken, e);
      return;
    }
    segments.commit(sm, batch.size(), bytes);
    size = base + batch.size();
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).done().complete(base + i);
    }
    if (!listeners.isEmpty()) {
      List<AppendedEntry> appended = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        Append a = batch.get(i);
        appended.add(new AppendedEntry(base + i, a.leaf(), a.summary()));
      }
      for (ListenerDispatch d : listeners) {
        d.appended(appended);
      }
    }
    batch.clear();
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    if (m != null && m.contains("No space left on device")) {
      return "the disk is full (No space left on device)";
    }
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private static void fail(List<Append> batch, String message, Exception cause) {
    for (Append a : batch) {
      a.done().completeExceptionally(new AuditLogException(message, cause));
    }
    batch.clear();
  }

  /** How long the writer may sleep before a checkpoint or a retention sweep is due. */
  private long millisUntilDue() {
    long wait = millisUntilCheckpointDue();
    if (!options.retention().isEmpty()) {
      long sinceSweep = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastSweepNanos);
      wait = Math.min(wait, Math.max(1, RETENTION_SWEEP_INTERVAL.toMillis() - sinceSweep));
    }
    return wait;
  }

  private long millisUntilCheckpointDue() {
    if (size <= Math.max(0, lastCheckpointSize)) {
      return options.checkpointInterval().toMillis();
    }
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastCheckpointNanos);
    return Math.max(1, options.checkpointInterval().toMillis() - elapsed);
  }

  private void maybeCheckpoint() {
    long grown = size - Math.max(0, lastCheckpointSize);
    boolean due = grown > 0 && (grown >= options.checkpointEntries()
        || System.nanoTime() - lastCheckpointNanos >= options.checkpointInterval().toNanos());
    if (!due) {
      return;
    }
    try {
      writeCheckpoint();
    } catch (IOException | RuntimeException e) {
      // The entries are durable; only the signed statement about them is late. Retried next time.
      LOG.log(System.Logger.Level.WARNING, "audit log " + dir + ": could not write a checkpoint: " + e.getMessage());
      lastCheckpointNanos = System.nanoTime();
    }
  }

  /** fsyncs the tree files, then signs and appends a checkpoint of the current size. */
  private void writeCheckpoint() throws IOException {
    long n = size;
    if (n == lastCheckpointSize) {
      return;
    }
    tree.force();
    byte[] root = ProofBuilder.root(tree, n);
    String text = new CheckpointBody(keys.origin(), n, root).format();
    Checkpoint c = new Checkpoint(keys.origin(), n, root, keys.signer().sign(text).format());
    checkpoints.append(c);
    lastCheckpointSize = n;
    lastCheckpointNanos = System.nanoTime();
    for (ListenerDispatch d : listeners) {
      d.checkpointed(c);
    }
  }

  @Override
  public String toString() {
    return "AuditLog[" + dir + ", " + size + " entries]";
  }
}
