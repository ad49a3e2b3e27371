package dev.airlock.audit;

/**
 * Something that follows the log: the query index, the Kafka mirror.
 *
 * <p>Contract: each listener has its own delivery thread and bounded queue, so a slow or failing
 * listener never blocks, slows or fails an append. Calls arrive in log order, one at a time, only
 * after the entry is durable. If a listener falls more than {@link AuditLogOptions#listenerQueue()}
 * events behind, events are dropped and {@link #onGap} tells it which indexes it missed; it can
 * catch up with {@link AuditLog#leaf} and {@link AuditLog#decrypt}. Exceptions thrown by a listener
 * are reported through {@link System.Logger} and otherwise ignored.
 */
public interface AuditListener {
  /** An entry is durable (fsync'd) at {@code entry.index()}. */
  void onAppended(AppendedEntry entry);

  /** A new signed checkpoint was written (after all entries it covers were delivered). */
  default void onCheckpoint(Checkpoint checkpoint) {}

  /** Data keys were destroyed; stored plaintext about this subject must be removed too. */
  default void onErased(Erasure erasure) {}

  /**
   * Events for indexes {@code [fromIndex, toIndex)} were dropped because this listener fell too far
   * behind; read them back from the log.
   */
  default void onGap(long fromIndex, long toIndex) {}
}
