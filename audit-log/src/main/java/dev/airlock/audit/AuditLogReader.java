package dev.airlock.audit;

import dev.airlock.audit.note.NoteVerifier;
import dev.airlock.audit.note.TlogProof;
import dev.airlock.audit.proof.ConsistencyProof;
import dev.airlock.audit.proof.InclusionProof;
import dev.airlock.audit.proof.ProofBuilder;
import dev.airlock.audit.proof.ProofException;
import dev.airlock.audit.proof.TreeHashes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Read-only access to a log's files, for auditors and the {@code airlock audit} commands. Takes no
 * lock and writes nothing, so it works on the data directory of a running server: an entry the
 * server is still writing (an unfinished frame at the very end) is simply not seen yet.
 */
public final class AuditLogReader {
  private final Path dir;

  private AuditLogReader(Path dir) {
    this.dir = dir;
  }

  /** Opens the log in {@code logDir} (the {@code audit} directory, see {@link AuditLog#directoryIn}). */
  public static AuditLogReader open(Path logDir) {
    if (!Files.isDirectory(logDir.resolve(SegmentStore.DIRECTORY))) {
      throw new AuditLogException("no audit log in " + logDir + ": expected a '" + SegmentStore.DIRECTORY
          + "' directory there; pass the appliance data directory whose '" + AuditLog.DIRECTORY + "' holds the log");
    }
    return new AuditLogReader(logDir);
  }

  /** Receives entries in index order. */
  @FunctionalInterface
  public interface EntryVisitor {
    void entry(long index, byte[] leaf) throws IOException;
  }

  /** Checkpoints in the order they were written, as their signed-note texts. */
  public List<String> checkpointNotes() {
    try {
      return CheckpointStore.readAll(dir).stream().map(CheckpointStore.Stored::note).toList();
    } catch (IOException e) {
      throw new AuditLogException("cannot read the checkpoints in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Visits entries {@code [from, to)} (to = {@code Long.MAX_VALUE} for all) and returns how many
   * entries the log holds.
   *
   * @throws AuditLogException at the first damaged or missing entry, naming its index
   */
  public long entries(long from, long to, EntryVisitor visitor) {
    Scan scan = new Scan(from, to, visitor);
    scan.run();
    scan.problem.ifPresent(p -> {
      throw new AuditLogException("entry " + p.index() + ": " + p.message());
    });
    return scan.count;
  }

  /** A front-to-back walk over the segments that stops at the first problem. */
  private final class Scan {
    final long from;
    final long to;
    final EntryVisitor visitor;
    long count;
    Optional<VerificationReport.Problem> problem = Optional.empty();
    final List<String> notes = new ArrayList<>();

    Scan(long from, long to, EntryVisitor visitor) {
      this.from = from;
      this.to = to;
      this.visitor = visitor;
    }

    void run() {
      try {
        TreeMap<Long, Path> files = SegmentStore.list(dir.resolve(SegmentStore.DIRECTORY));
        long expected = 0;
        List<Map.Entry<Long, Path>> list = new ArrayList<>(files.entrySet());
        for (int i = 0; i < list.size(); i++) {
          long first = list.get(i).getKey();
          Path file = list.get(i).getValue();
          if (first != expected) {
            problem = Optional.of(new VerificationReport.Problem(expected, first > expected
                ? "entries " + expected + ".." + (first - 1) + " are missing: no segment holds them (the next segment, "
                    + file.getFileName() + ", starts at " + first + "); restore the missing segment from backup"
                : "segment " + file.getFileName() + " starts at " + first + " but entries up to " + (expected - 1)
                    + " were already read: segments overlap"));
            return;
          }
          boolean last = i == list.size() - 1;
          if (!last && list.get(i + 1).getKey() <= from) {
            expected = list.get(i + 1).getKey(); // wholly before the requested range
            continue;
          }
          try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long n = ch.size();
            long index = first;
            long start = 0;
            if (from > first) {
              // Jump with the offset index when it covers 'from'; otherwise scan from the start.
              Optional<Long> off = offsetOf(first, from, n);
              if (off.isPresent()) {
                start = off.get();
                index = from;
              }
            }
            FrameScanner fs = new FrameScanner(ch, start, n);
            // A bad frame in the last segment is its tail unless a whole frame follows it.
            boolean damaged = !last;
            while (true) {
              byte[] leaf = fs.next();
              if (leaf == null && last && !fs.atEnd() && Frames.wholeFrameAfter(ch, fs.offset(), n)) {
                // The open segment may be written while it is read: its space is zero-filled ahead,
                // so a frame caught half-copied reads as damaged, and the writer may finish frames
                // after it meanwhile. A whole frame after it means it is whole too by now (a write
                // lands in order, one batch after another), so it is read again: still bad, it is
                // damage. Decided here, once: asked again later, a tail could have frames after it.
                fs = new FrameScanner(ch, fs.offset(), n);
                leaf = fs.next();
                damaged = leaf == null;
              }
              if (leaf == null) {
                break;
              }
              if (index >= from && index < to) {
                visitor.entry(index, leaf);
              }
              index++;
              if (index >= to) {
                count = index;
                return;
              }
            }
            if (!fs.atEnd()) {
              if (damaged) {
                problem = Optional.of(new VerificationReport.Problem(index, "segment " + file.getFileName()
                    + " is damaged at this entry (" + fs.problem() + "); restore it from backup"));
                count = index;
                return;
              }
              // Zeros are space the writer filled ahead of its end, not a write.
              if (!Frames.allZero(ch, fs.offset(), n)) {
                notes.add("ignored " + (n - fs.offset()) + " bytes after entry " + (index - 1)
                    + " at the end of " + file.getFileName() + ": an unfinished or interrupted write, never acknowledged");
              }
            }
            expected = index;
          }
        }
        count = expected;
      } catch (IOException e) {
        throw new AuditLogException("cannot read the audit log in " + dir + ": " + e.getMessage(), e);
      }
    }

    private Optional<Long> offsetOf(long first, long index, long dataSize) throws IOException {
      Path idx = SegmentStore.fileName(dir.resolve(SegmentStore.DIRECTORY), first, SegmentStore.INDEX_SUFFIX);
      if (!Files.exists(idx)) {
        return Optional.empty();
      }
      try (FileChannel ch = FileChannel.open(idx, StandardOpenOption.READ)) {
        long pos = (index - first) * 8;
        if (ch.size() < pos + 8) {
          return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.allocate(8);
        Frames.readFully(ch, b, pos);
        long off = b.getLong(0);
        return off >= 0 && off < dataSize ? Optional.of(off) : Optional.empty();
      }
    }
  }

  /**
   * Recomputes every leaf hash and the tree, checks every checkpoint's signature against
   * {@code verifier}, its root against the recomputed tree, and the consistency proof (from the
   * stored tree) between consecutive checkpoints. Stops at the first problem.
   */
  public VerificationReport verify(NoteVerifier verifier) {
    return verify(verifier, n -> {});
  }

  /** As {@link #verify(NoteVerifier)}, telling {@code progress} the number of entries checked so far. */
  public VerificationReport verify(NoteVerifier verifier, java.util.function.LongConsumer progress) {
    List<String> notes = new ArrayList<>();
    List<CheckpointStore.Stored> stored;
    try {
      stored = CheckpointStore.readAll(dir);
    } catch (IOException e) {
      throw new AuditLogException("cannot read the checkpoints in " + dir + ": " + e.getMessage(), e);
    }
    List<String> noteTexts = stored.stream().map(CheckpointStore.Stored::note).toList();
    VerificationReport report;
    List<Checkpoint> cps;
    try (LogVerifier stream = new LogVerifier(verifier, noteTexts, progress)) {
      Scan scan = new Scan(0, Long.MAX_VALUE, stream::entry);
      if (stream.problem().isEmpty()) {
        scan.run();
      }
      notes.addAll(scan.notes);
      report = stream.finish(scan.problem, notes);
      cps = stream.checkpoints();
    }
    if (!report.ok()) {
      return report;
    }
    long entries = report.entries();
    List<String> allNotes = new ArrayList<>(report.notes());
    // Consistency between consecutive checkpoints, proven from the stored tree files.
    long lastCheckpointSize = cps.isEmpty() ? 0 : cps.get(cps.size() - 1).size();
    Optional<TreeStore> tree = storedTree(lastCheckpointSize);
    if (tree.isEmpty()) {
      allNotes.add("consistency between checkpoints follows from the recomputed roots; the stored tree files were "
          + "incomplete and not used");
      return new VerificationReport(entries, cps.size(), Optional.empty(), allNotes);
    }
    try {
      for (int i = 1; i < cps.size(); i++) {
        Checkpoint a = cps.get(i - 1);
        Checkpoint b = cps.get(i);
        if (a.size() == 0 || a.size() == b.size()) {
          continue;
        }
        try {
          ConsistencyProof p = ProofBuilder.consistency(tree.get(), a.size(), b.size());
          p.verify(a.rootHash(), b.rootHash());
        } catch (ProofException | RuntimeException e) {
          return fail(b.size(), cps.size(), allNotes, "checkpoints #" + i + " and #" + (i + 1)
              + ": the consistency proof from the stored tree files does not verify (" + e.getMessage()
              + "); the tree files are damaged: reopen the log with the server to rebuild them");
        }
      }
    } finally {
      closeQuietly(tree.get());
    }
    return new VerificationReport(entries, cps.size(), Optional.empty(), allNotes);
  }

  private static VerificationReport fail(long index, int checkpoints, List<String> notes, String message) {
    return new VerificationReport(index, checkpoints, Optional.of(new VerificationReport.Problem(index, message)), notes);
  }

  private Optional<TreeStore> storedTree(long size) {
    try {
      TreeStore t = TreeStore.open(dir, false);
      for (int l = 0; l < TreeStore.MAX_LEVELS && (size >>> l) > 0; l++) {
        if (t.stored(l) < (size >>> l)) {
          // The server may still be writing the newest nodes; entries past the last checkpoint
          // are allowed to be missing, so only check what checkpoints need.
          // (A shorter file is handled by the caller falling back to recomputed roots.)
          closeQuietly(t);
          return Optional.empty();
        }
      }
      return Optional.of(t);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void closeQuietly(TreeStore t) {
    try {
      t.close();
    } catch (IOException ignored) {
      // read-only handles
    }
  }

  /**
   * A C2SP tlog-proof for entry {@code index} against the latest checkpoint covering it, with the
   * leaf bytes as the proof's extra data (so a verifier can recompute the leaf hash). The proof is
   * checked against the checkpoint's root before it is returned.
   */
  public TlogProof prove(long index) {
    List<CheckpointStore.Stored> stored;
    try {
      stored = CheckpointStore.readAll(dir);
    } catch (IOException e) {
      throw new AuditLogException("cannot read the checkpoints in " + dir + ": " + e.getMessage(), e);
    }
    Checkpoint cp = null;
    for (CheckpointStore.Stored s : stored) {
      if (s.checkpoint() != null && s.checkpoint().size() > index) {
        cp = s.checkpoint();
      }
    }
    if (cp == null) {
      long latest = stored.isEmpty() || stored.get(stored.size() - 1).checkpoint() == null
          ? 0 : stored.get(stored.size() - 1).checkpoint().size();
      throw new AuditLogException("entry " + index + " is not covered by a checkpoint yet (the latest covers "
          + latest + " entries); wait for the next checkpoint and try again");
    }
    byte[][] leaf = new byte[1][];
    entries(index, index + 1, (i, l) -> leaf[0] = l);
    if (leaf[0] == null) {
      throw new AuditLogException("entry " + index + " is not in the log");
    }
    final long size = cp.size();
    InclusionProof proof;
    Optional<TreeStore> tree = storedTree(size);
    try {
      TreeHashes nodes = tree.isPresent() ? tree.get() : recomputedTree(size);
      proof = ProofBuilder.inclusion(nodes, index, size);
      proof.verify(MerkleHash.leaf(leaf[0]), cp.rootHash());
    } catch (ProofException e) {
      throw new AuditLogException("the proof for entry " + index + " does not verify against checkpoint at size "
          + size + " (" + e.getMessage() + "); run 'airlock audit verify'");
    } finally {
      tree.ifPresent(AuditLogReader::closeQuietly);
    }
    return new TlogProof(Optional.of(leaf[0]), index, proof.hashes(), cp.signedNote());
  }

  /** Every level of the first {@code size} leaves, in memory: the fallback when tree files are incomplete. */
  private TreeHashes recomputedTree(long size) {
    List<List<byte[]>> levels = new ArrayList<>();
    levels.add(new ArrayList<>());
    entries(0, size, (i, l) -> levels.get(0).add(MerkleHash.leaf(l)));
    for (int l = 0; levels.get(l).size() > 1; l++) {
      List<byte[]> below = levels.get(l);
      List<byte[]> up = new ArrayList<>();
      for (int i = 0; i + 1 < below.size(); i += 2) {
        up.add(MerkleHash.node(below.get(i), below.get(i + 1)));
      }
      levels.add(up);
    }
    return (level, i) -> levels.get(level).get((int) i);
  }
}
