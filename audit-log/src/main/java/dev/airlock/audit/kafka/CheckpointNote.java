package dev.airlock.audit.kafka;

/**
 * A signed checkpoint as it travels on the checkpoint topic.
 *
 * @param treeSize the size of the tree the checkpoint commits to (the topic's key)
 * @param signedNote the complete C2SP signed note text (the topic's value, UTF-8)
 */
public record CheckpointNote(long treeSize, String signedNote) {
  public CheckpointNote {
    if (treeSize < 0) {
      throw new IllegalArgumentException("a checkpoint's tree size cannot be negative, got " + treeSize);
    }
    if (signedNote == null || signedNote.isEmpty()) {
      throw new IllegalArgumentException("a checkpoint needs its signed note text");
    }
  }
}
