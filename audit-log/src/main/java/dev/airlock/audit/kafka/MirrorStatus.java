package dev.airlock.audit.kafka;

import java.util.Optional;

/**
 * Where the mirror stands, for the server to turn into metrics and health.
 *
 * @param logSize leaves durable in the local log
 * @param acknowledged leaves the broker has acknowledged (all of indexes 0 .. acknowledged-1)
 * @param checkpointAcknowledged the tree size of the newest checkpoint the broker acknowledged, -1
 *     before the first
 * @param lastError the most recent failure while the mirror is retrying, empty once it recovered
 */
public record MirrorStatus(
    long logSize, long acknowledged, long checkpointAcknowledged, Optional<String> lastError) {
  /** Leaves durable locally but not yet acknowledged by Kafka. */
  public long lag() {
    return Math.max(0, logSize - acknowledged);
  }
}
