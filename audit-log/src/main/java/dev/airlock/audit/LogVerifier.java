package dev.airlock.audit;

import dev.airlock.audit.note.NoteFormatException;
import dev.airlock.audit.note.NoteVerificationException;
import dev.airlock.audit.note.NoteVerifier;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * Verifies a log from any source, given its signed checkpoints and then its leaves in index
 * order: checks every checkpoint's signature, origin and order up front, recomputes every leaf hash
 * and the tree, compares the root at each checkpoint size, checks each leaf's structure, and finds
 * missing entries. {@link AuditLogReader#verify} feeds it the log's files; a mirror's consumer can
 * feed it the mirrored topics. Because every root is recomputed from the same leaves, consecutive
 * checkpoints that both match are consistent.
 *
 * <pre>{@code
 * try (LogVerifier v = new LogVerifier(key, checkpointNotes, n -> {})) {
 *   for (each entry in order) v.entry(index, leafBytes);
 *   VerificationReport r = v.finish(Optional.empty(), List.of());
 * }
 * }</pre>
 *
 * Hashing and leaf checks run in parallel chunks on every core; folding into the tree is in order
 * on the calling thread. Not thread-safe: one feeder.
 */
public final class LogVerifier implements AutoCloseable {
  /** Leaves per task: big enough to amortise the hand-off, small enough to keep cores busy. */
  private static final int CHUNK = 2048;

  /** Chunks in flight: bounds memory to a few MiB of leaves. */
  private static final int IN_FLIGHT = 8;

  private record Chunk(long start, byte[][] hashes, long problemAt, String problem) {}

  private final ExecutorService pool;
  private final ArrayDeque<Future<Chunk>> inFlight = new ArrayDeque<>();
  private final CompactRange range = new CompactRange();
  private final List<Checkpoint> cps = new ArrayList<>();
  private final LongConsumer progress;
  private List<byte[]> current = new ArrayList<>(CHUNK);
  private long currentStart;
  private long expected;
  private int next;
  private String problem;
  private long problemAt;

  /**
   * @param key the log's verifier key
   * @param checkpointNotes every checkpoint, as signed-note text, in the order the log wrote them
   * @param progress told the number of entries folded so far
   */
  public LogVerifier(NoteVerifier key, List<String> checkpointNotes, LongConsumer progress) {
    this.progress = progress;
    long previousSize = -1;
    for (int i = 0; i < checkpointNotes.size() && problem == null; i++) {
      CheckpointStore.Stored s = CheckpointStore.parse(i, checkpointNotes.get(i));
      String which = "checkpoint #" + (i + 1);
      if (s.checkpoint() == null) {
        fail(0, which + " is malformed: " + s.problem());
        break;
      }
      Checkpoint c = s.checkpoint();
      which += " (tree size " + c.size() + ")";
      try {
        key.verify(s.note());
      } catch (NoteFormatException | NoteVerificationException e) {
        fail(c.size(), which + " is not signed by the verifier key " + key.name() + ": " + e.getMessage());
        break;
      }
      if (!c.origin().equals(key.name())) {
        fail(c.size(), which + " names origin '" + c.origin() + "' but the verifier key is for '" + key.name() + "'");
        break;
      }
      if (c.size() < previousSize) {
        fail(c.size(), which + " is smaller than the checkpoint before it (" + previousSize + "): a log never shrinks");
        break;
      }
      previousSize = c.size();
      cps.add(c);
    }
    while (problem == null && next < cps.size() && cps.get(next).size() == 0) {
      if (!MessageDigest.isEqual(cps.get(next).rootHash(), MerkleHash.emptyRoot())) {
        fail(0, "checkpoint #" + (next + 1) + " (tree size 0) has a root that is not the empty tree's");
      } else {
        next++;
      }
    }
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "audit-verify");
      t.setDaemon(true);
      return t;
    });
  }

  private void fail(long index, String message) {
    if (problem == null) {
      problem = message;
      problemAt = index;
    }
  }

  /** The first problem found so far (checkpoint problems are known right after construction). */
  public Optional<VerificationReport.Problem> problem() {
    return problem == null ? Optional.empty() : Optional.of(new VerificationReport.Problem(problemAt, problem));
  }

  /** The checkpoints that passed their signature and order checks, in order. */
  public List<Checkpoint> checkpoints() {
    return List.copyOf(cps);
  }

  /** The next leaf; indexes must run 0, 1, 2, ... (a jump is reported as missing entries). */
  public void entry(long index, byte[] leaf) {
    if (problem != null) {
      return;
    }
    if (index != expected) {
      flushAll();
      fail(expected, index > expected
          ? "entries " + expected + ".." + (index - 1) + " are missing (the next entry present is " + index + ")"
          : "entry " + index + " arrived again or out of order (expected " + expected + ")");
      return;
    }
    expected++;
    if (current.isEmpty()) {
      currentStart = index;
    }
    current.add(leaf);
    if (current.size() == CHUNK) {
      submit();
    }
  }

  private void submit() {
    List<byte[]> leaves = current;
    long start = currentStart;
    current = new ArrayList<>(CHUNK);
    inFlight.add(pool.submit(() -> {
      byte[][] hashes = new byte[leaves.size()][];
      for (int i = 0; i < leaves.size(); i++) {
        byte[] leaf = leaves.get(i);
        try {
          AuditLeaf.validate(leaf);
        } catch (AuditLogException e) {
          return new Chunk(start, Arrays.copyOf(hashes, i), start + i,
              "entry is not a valid Airlock leaf: " + e.getMessage());
        }
        hashes[i] = MerkleHash.leaf(leaf);
      }
      return new Chunk(start, hashes, -1, null);
    }));
    while (inFlight.size() > IN_FLIGHT) {
      fold(inFlight.poll());
    }
  }

  private void flushAll() {
    if (!current.isEmpty()) {
      submit();
    }
    while (!inFlight.isEmpty()) {
      fold(inFlight.poll());
    }
  }

  private void fold(Future<Chunk> f) {
    Chunk c;
    try {
      c = f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditLogException("verification was interrupted");
    } catch (ExecutionException e) {
      throw new AuditLogException("verification failed: " + e.getCause(), e.getCause());
    }
    if (problem != null) {
      return;
    }
    for (byte[] h : c.hashes()) {
      range.append(h);
      while (next < cps.size() && cps.get(next).size() == range.size()) {
        Checkpoint cp = cps.get(next);
        byte[] root = range.root();
        if (!MessageDigest.isEqual(root, cp.rootHash())) {
          fail(cp.size() - 1, "checkpoint #" + (next + 1) + " (tree size " + cp.size() + ") signs root "
              + Base64.getEncoder().encodeToString(cp.rootHash()) + " but the entries hash to "
              + Base64.getEncoder().encodeToString(root) + ": an entry before this size was altered, added or removed");
          return;
        }
        next++;
      }
    }
    progress.accept(range.size());
    if (c.problem() != null) {
      fail(c.problemAt(), c.problem());
    }
  }

  /**
   * Ends the stream and reports.
   *
   * @param sourceProblem a problem the source itself found (a damaged frame, a missing segment);
   *     the earlier of it and this verifier's own is reported
   * @param notes remarks to carry into the report
   */
  public VerificationReport finish(Optional<VerificationReport.Problem> sourceProblem, List<String> notes) {
    flushAll();
    List<String> allNotes = new ArrayList<>(notes);
    long entries = range.size();
    if (sourceProblem.isPresent() && (problem == null || sourceProblem.get().index() <= problemAt)) {
      return new VerificationReport(entries, next, sourceProblem, allNotes);
    }
    if (problem != null) {
      return report(entries, allNotes);
    }
    if (next < cps.size()) {
      Checkpoint c = cps.get(next);
      fail(entries, "checkpoint #" + (next + 1) + " covers " + c.size() + " entries but the log holds only " + entries
          + ": entries " + entries + ".." + (c.size() - 1)
          + " are missing (a truncated or deleted segment); restore them from backup");
      return report(entries, allNotes);
    }
    if (cps.isEmpty()) {
      allNotes.add("the log has no checkpoint yet: entries were checked for integrity but nothing vouches for them");
    } else if (cps.get(cps.size() - 1).size() < entries) {
      allNotes.add("entries " + cps.get(cps.size() - 1).size() + ".." + (entries - 1)
          + " are not yet covered by a checkpoint (the next one will cover them)");
    }
    return new VerificationReport(entries, cps.size(), Optional.empty(), allNotes);
  }

  private VerificationReport report(long entries, List<String> notes) {
    return new VerificationReport(problem == null ? entries : Math.min(entries, problemAt), next, problem(), notes);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
