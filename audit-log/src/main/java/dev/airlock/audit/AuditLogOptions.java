package dev.airlock.audit;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Tunables of one log, with defaults that run on a laptop.
 *
 * @param checkpointInterval sign a checkpoint at most this often while entries arrive
 * @param checkpointEntries ... or as soon as this many entries arrived since the last one
 * @param segmentBytes start a new segment file once the current one reaches this size
 * @param retention how long records of a type stay readable; their payloads are crypto-shredded
 *     afterwards by the log's hourly sweep (and on demand by {@link AuditLog#enforceRetention()}).
 *     Types not listed are kept until erased.
 * @param listenerQueue events buffered per listener before it is told it missed some
 * @param clock time source for checkpoints and retention
 */
public record AuditLogOptions(
    Duration checkpointInterval,
    long checkpointEntries,
    long segmentBytes,
    Map<String, Duration> retention,
    int listenerQueue,
    Clock clock) {

  /** Tessera's default checkpoint interval: frequent enough for timely proofs, cheap to sign. */
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

  /** Bounds the work of recovery after a crash (entries past the last checkpoint are re-hashed). */
  public static final long DEFAULT_CHECKPOINT_ENTRIES = 100_000;

  /** 256 MiB: a torn-tail scan on open stays well under a second; few files per million entries. */
  public static final long DEFAULT_SEGMENT_BYTES = 256L * 1024 * 1024;

  /** Enough to ride out a pause of a few seconds at full append rate without dropping events. */
  public static final int DEFAULT_LISTENER_QUEUE = 65_536;

  public AuditLogOptions {
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(clock, "clock");
    if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
      throw new IllegalArgumentException("checkpointInterval must be positive, got " + checkpointInterval);
    }
    if (checkpointEntries < 1) {
      throw new IllegalArgumentException("checkpointEntries must be >= 1, got " + checkpointEntries);
    }
    if (segmentBytes < 4096) {
      throw new IllegalArgumentException("segmentBytes must be >= 4096, got " + segmentBytes);
    }
    if (listenerQueue < 1) {
      throw new IllegalArgumentException("listenerQueue must be >= 1, got " + listenerQueue);
    }
    retention = Map.copyOf(retention);
  }

  public static AuditLogOptions defaults() {
    return new AuditLogOptions(DEFAULT_CHECKPOINT_INTERVAL, DEFAULT_CHECKPOINT_ENTRIES,
        DEFAULT_SEGMENT_BYTES, Map.of(), DEFAULT_LISTENER_QUEUE, Clock.systemUTC());
  }

  public AuditLogOptions withCheckpointInterval(Duration d) {
    return new AuditLogOptions(d, checkpointEntries, segmentBytes, retention, listenerQueue, clock);
  }

  public AuditLogOptions withCheckpointEntries(long n) {
    return new AuditLogOptions(checkpointInterval, n, segmentBytes, retention, listenerQueue, clock);
  }

  public AuditLogOptions withSegmentBytes(long n) {
    return new AuditLogOptions(checkpointInterval, checkpointEntries, n, retention, listenerQueue, clock);
  }

  public AuditLogOptions withRetention(Map<String, Duration> r) {
    return new AuditLogOptions(checkpointInterval, checkpointEntries, segmentBytes, r, listenerQueue, clock);
  }

  public AuditLogOptions withListenerQueue(int n) {
    return new AuditLogOptions(checkpointInterval, checkpointEntries, segmentBytes, retention, n, clock);
  }

  public AuditLogOptions withClock(Clock c) {
    return new AuditLogOptions(checkpointInterval, checkpointEntries, segmentBytes, retention, listenerQueue, c);
  }
}
