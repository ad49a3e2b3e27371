package dev.airlock.audit.kafka;

import java.util.List;

/**
 * What the mirror reads from the local log, which stays the source of truth: the mirror copies
 * from it at its own pace, so a slow or absent broker never holds up an append.
 */
interface MirrorSource {
  /** The number of durable leaves (the next index to be assigned). */
  long size();

  /** Up to {@code max} consecutive leaves starting at {@code from}, each as its encoded bytes. */
  List<byte[]> leaves(long from, int max);

  /** Every signed checkpoint whose tree size is greater than {@code treeSize}, oldest first. */
  List<CheckpointNote> checkpointsAfter(long treeSize);
}
