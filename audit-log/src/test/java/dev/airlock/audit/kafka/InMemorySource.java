package dev.airlock.audit.kafka;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A log held in memory, for mirror tests that are about Kafka and not about the log's files. */
final class InMemorySource implements MirrorSource {
  private final List<byte[]> leaves = new ArrayList<>();
  private final List<CheckpointNote> checkpoints = new ArrayList<>();
  private final String name;

  InMemorySource(String name) {
    this.name = name;
  }

  /** Appends a recognisable leaf and returns its index. */
  synchronized long append() {
    long index = leaves.size();
    leaves.add((name + " leaf " + index).getBytes(StandardCharsets.UTF_8));
    return index;
  }

  synchronized CheckpointNote checkpoint() {
    CheckpointNote c = new CheckpointNote(leaves.size(), name + "\n" + leaves.size() + "\nroot\n\n— sig\n");
    checkpoints.add(c);
    return c;
  }

  synchronized byte[] leaf(long index) {
    return leaves.get((int) index);
  }

  @Override
  public synchronized long size() {
    return leaves.size();
  }

  @Override
  public synchronized List<byte[]> leaves(long from, int max) {
    List<byte[]> out = new ArrayList<>();
    for (long i = from; i < Math.min(size(), from + max); i++) {
      out.add(leaves.get((int) i));
    }
    return out;
  }

  @Override
  public synchronized List<CheckpointNote> checkpointsAfter(long treeSize) {
    return checkpoints.stream().filter(c -> c.treeSize() > treeSize).toList();
  }
}
