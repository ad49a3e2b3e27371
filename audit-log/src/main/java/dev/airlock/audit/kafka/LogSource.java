package dev.airlock.audit.kafka;

import dev.airlock.audit.AppendedEntry;
import dev.airlock.audit.AuditListener;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.Checkpoint;
import java.util.ArrayList;
import java.util.List;

/** An {@link AuditLog} as the mirror sees it, and the listener that wakes the mirror up. */
final class LogSource implements MirrorSource {
  private final AuditLog log;

  LogSource(AuditLog log) {
    this.log = log;
  }

  @Override
  public long size() {
    return log.size();
  }

  @Override
  public List<byte[]> leaves(long from, int max) {
    long to = Math.min(log.size(), from + max);
    List<byte[]> out = new ArrayList<>((int) Math.max(0, to - from));
    for (long i = from; i < to; i++) {
      out.add(log.leaf(i));
    }
    return out;
  }

  @Override
  public List<CheckpointNote> checkpointsAfter(long treeSize) {
    // Asked on every round of the mirror: answer from the latest checkpoint alone when it is old.
    if (log.latestCheckpoint().map(c -> c.size() <= treeSize).orElse(true)) {
      return List.of();
    }
    List<Checkpoint> all = log.checkpoints();
    int lo = 0;
    int hi = all.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (all.get(mid).size() <= treeSize) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    List<CheckpointNote> out = new ArrayList<>(all.size() - lo);
    for (Checkpoint c : all.subList(lo, all.size())) {
      out.add(new CheckpointNote(c.size(), c.signedNote()));
    }
    return out;
  }

  /** Hands new leaves to the mirror (saving it a read) and wakes it for checkpoints; never blocks. */
  static AuditListener listener(KafkaMirror mirror) {
    return new AuditListener() {
      @Override
      public void onAppended(AppendedEntry entry) {
        mirror.leafAppended(entry.index(), entry.leaf());
      }

      @Override
      public void onCheckpoint(Checkpoint checkpoint) {
        mirror.checkpointAdded();
      }

      @Override
      public void onGap(long fromIndex, long toIndex) {
        // Nothing to do: the mirror reads whatever it has not seen back from the log.
        mirror.checkpointAdded();
      }
    };
  }
}
