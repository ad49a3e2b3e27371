package dev.airlock.audit.kafka;

import dev.airlock.audit.AuditListener;
import dev.airlock.audit.AuditLog;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Copies the audit log to Kafka: every leaf in index order to the leaf topic, every checkpoint to
 * the checkpoint topic once the leaves it covers are acknowledged.
 *
 * <p>The local log is the source of truth and the mirror never holds it up: it follows the log as
 * an {@link AuditListener}, whose events only drop a note in a bounded buffer and return; one background
 * thread reads the log and produces. The producer is idempotent (acks=all, at most five requests
 * in flight), so within one producer session the broker appends each leaf once, in order, with no
 * gaps. When the session ends (a restart of the server, or an outage long enough for a send to
 * fail) the mirror reads the last leaf the topic holds, checks it against the local log, and
 * resumes from the next index. A leaf the broker wrote without acknowledging can thus appear twice;
 * consumers dedup by index (the key), as {@link MirrorVerifier} does.
 */
public final class KafkaMirror implements AutoCloseable {
  /** Leaves read from the log per round: big enough to fill producer batches, small enough to stay responsive. */
  static final int READ_BATCH = 512;

  /** Leaves sent but not yet acknowledged, at most: bounds memory while a broker is slow or away. */
  static final int MAX_UNACKNOWLEDGED = 20_000;

  /** Recently appended leaves kept in memory, so a mirror that keeps up rarely reads the log back. */
  static final int RECENT_LEAVES = 8_192;

  /** How long an idle mirror sleeps before it looks at the log again, even without a note. */
  static final Duration IDLE_WAIT = Duration.ofMillis(200);

  /** How often a mirror with {@link #MAX_UNACKNOWLEDGED} leaves in flight looks whether acks came in. */
  static final Duration ACK_WAIT = Duration.ofMillis(10);

  /** First wait after a failure; doubled up to {@link #MAX_BACKOFF}. */
  static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  /** Longest wait between two attempts to reach a broker that is away. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** How long admin and consumer calls wait for the cluster before the attempt counts as failed. */
  static final Duration CLUSTER_TIMEOUT = Duration.ofSeconds(15);

  /** On close, how long in-flight leaves get to be acknowledged; the next start resends the rest. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  /** {@link MirrorStatus#checkpointAcknowledged()} before any checkpoint reached the topic. */
  static final long NONE = -1;

  private static final Logger LOG = System.getLogger(KafkaMirror.class.getName());

  private final MirrorSource source;
  private final MirrorTopics topics;
  private final ArrayBlockingQueue<Leaf> recent = new ArrayBlockingQueue<>(RECENT_LEAVES);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong checkpointAcknowledged = new AtomicLong(NONE);
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
  private final Thread worker;
  private volatile boolean closed;
  private volatile boolean fatal;
  private boolean pending;
  private Runnable onClose = () -> {};

  private record Leaf(long index, byte[] bytes) {}

  private KafkaMirror(MirrorSource source, MirrorTopics topics) {
    this.source = source;
    this.topics = topics;
    this.worker = Thread.ofPlatform().name("audit-kafka-mirror").daemon().unstarted(this::run);
  }

  /**
   * Starts mirroring {@code log} to {@code topics}, from wherever the topics stand; returns at once,
   * even if no broker answers. Closing the mirror stops it; the log stays open.
   */
  public static KafkaMirror start(AuditLog log, MirrorTopics topics) {
    KafkaMirror m = new KafkaMirror(new LogSource(log), topics);
    AuditListener listener = LogSource.listener(m);
    m.onClose = () -> log.unsubscribe(listener);
    log.subscribe(listener);
    m.worker.start();
    return m;
  }

  static KafkaMirror start(MirrorSource source, MirrorTopics topics) {
    KafkaMirror m = new KafkaMirror(source, topics);
    m.worker.start();
    return m;
  }

  /** The log made {@code index} durable. Never blocks; a full buffer just means reading it back. */
  void leafAppended(long index, byte[] leaf) {
    if (!recent.offer(new Leaf(index, leaf))) {
      recent.clear();
    }
    signal();
  }

  /** The log signed a new checkpoint (or has news the mirror should look at). Never blocks. */
  void checkpointAdded() {
    signal();
  }

  /** Where the mirror stands; {@link MirrorStatus#lag()} is the metric to watch. */
  public MirrorStatus status() {
    return new MirrorStatus(
        source.size(), acknowledged.get(), checkpointAcknowledged.get(), Optional.ofNullable(lastError.get()));
  }

  /** Stops the mirror, giving in-flight sends a moment to be acknowledged. */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    onClose.run();
    signal();
    worker.join(CLOSE_GRACE.toMillis() * 2);
    if (worker.isAlive()) {
      // Still waiting for a cluster that does not answer: nothing is lost by giving up.
      worker.interrupt();
      worker.join();
    }
  }

  private void signal() {
    lock.lock();
    try {
      pending = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    Duration backoff = FIRST_BACKOFF;
    while (!closed && !fatal) {
      KafkaProducer<byte[], byte[]> producer = null;
      try {
        producer = connect();
        backoff = FIRST_BACKOFF;
        lastError.set(null);
        mirror(producer);
      } catch (MirrorFormatException e) {
        fatal = true;
        lastError.set(e.getMessage());
        LOG.log(Level.ERROR, "Kafka mirror stopped: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        if (closed) {
          return;
        }
        lastError.set(describe(e));
        LOG.log(Level.WARNING, "Kafka mirror will retry in " + backoff.toMillis() + " ms: " + describe(e));
        sleep(backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      } finally {
        if (producer != null) {
          // After a failure, unacknowledged sends are abandoned: the next session resends from the topic's end.
          try {
            producer.close(closed && sendFailure.get() == null ? CLOSE_GRACE : Duration.ZERO);
          } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "closing the Kafka producer: " + e);
          }
        }
      }
    }
  }

  /** Creates the topics if needed and finds where the last session stopped. */
  private KafkaProducer<byte[], byte[]> connect() throws Exception {
    sendFailure.set(null);
    Map<String, Object> adminProps = new HashMap<>(topics.clientProperties());
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, topics.bootstrapServers());
    adminProps.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLUSTER_TIMEOUT.toMillis());
    adminProps.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CLUSTER_TIMEOUT.toMillis() / 2);
    Admin admin = Admin.create(adminProps);
    try {
      TopicRecords.ensure(admin, topics.leafTopic(), CLUSTER_TIMEOUT);
      TopicRecords.ensure(admin, topics.checkpointTopic(), CLUSTER_TIMEOUT);
    } finally {
      // Abandons calls still waiting for a cluster that does not answer; the next attempt starts afresh.
      admin.close(Duration.ZERO);
    }
    try (KafkaConsumer<byte[], byte[]> consumer = TopicRecords.consumer(topics)) {
      long next = TopicRecords.last(consumer, topics.leafTopic(), CLUSTER_TIMEOUT)
          .map(this::checkAgainstLog)
          .orElse(0L);
      acknowledged.set(next);
      checkpointAcknowledged.set(
          TopicRecords.last(consumer, topics.checkpointTopic(), CLUSTER_TIMEOUT).map(TopicRecords::number).orElse(NONE));
    }
    return new KafkaProducer<>(producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The topic's last leaf must be the local log's leaf at that index; returns the next index. */
  private long checkAgainstLog(ConsumerRecord<byte[], byte[]> last) {
    long index = TopicRecords.number(last);
    long size = source.size();
    if (index >= size) {
      throw new MirrorFormatException(
          "topic '" + topics.leafTopic() + "' already holds leaf " + index + " but the local log has only "
              + size + " leaves: the topic belongs to another log. Configure a new topic for this log.");
    }
    List<byte[]> local = source.leaves(index, 1);
    if (local.isEmpty() || !Arrays.equals(local.get(0), last.value())) {
      throw new MirrorFormatException(
          "topic '" + topics.leafTopic() + "' holds a leaf " + index + " that differs from the local log's:"
              + " the topic belongs to another log. Configure a new topic for this log.");
    }
    return index + 1;
  }

  private Map<String, Object> producerProperties() {
    Map<String, Object> p = new HashMap<>(topics.clientProperties());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, topics.bootstrapServers());
    // What the no-gap, in-order promise rests on; not overridable.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return p;
  }

  private void mirror(KafkaProducer<byte[], byte[]> producer) throws Exception {
    long next = acknowledged.get();
    while (!closed) {
      Exception failure = sendFailure.get();
      if (failure != null) {
        throw failure;
      }
      boolean worked = false;
      long size = source.size();
      if (next < size && next - acknowledged.get() < MAX_UNACKNOWLEDGED) {
        List<byte[]> leaves = take(next, (int) Math.min(READ_BATCH, size - next));
        for (byte[] leaf : leaves) {
          send(producer, next++, leaf);
        }
        worked = !leaves.isEmpty();
      }
      worked |= sendCheckpoints(producer);
      if (!worked) {
        // Either nothing new (wait for a note), or too much unacknowledged (wait for acks).
        await(next >= source.size() ? IDLE_WAIT : ACK_WAIT);
      }
    }
  }

  private void send(KafkaProducer<byte[], byte[]> producer, long index, byte[] leaf) {
    producer.send(
        new ProducerRecord<>(topics.leafTopic(), TopicRecords.PARTITION, TopicRecords.key(index), leaf),
        (meta, e) -> {
          if (e != null) {
            sendFailure.compareAndSet(null, e);
          } else if (sendFailure.get() == null) {
            // Callbacks of one partition run in send order, so this only moves forward.
            acknowledged.accumulateAndGet(index + 1, Math::max);
          }
        });
  }

  /** Sends every checkpoint whose leaves are all acknowledged and that the topic does not have yet. */
  private boolean sendCheckpoints(KafkaProducer<byte[], byte[]> producer) {
    boolean sent = false;
    for (CheckpointNote c : source.checkpointsAfter(checkpointAcknowledged.get())) {
      if (c.treeSize() > acknowledged.get()) {
        break;
      }
      producer.send(
          new ProducerRecord<>(
              topics.checkpointTopic(),
              TopicRecords.PARTITION,
              TopicRecords.key(c.treeSize()),
              c.signedNote().getBytes(StandardCharsets.UTF_8)),
          (meta, e) -> {
            if (e != null) {
              sendFailure.compareAndSet(null, e);
            }
          });
      producer.flush();
      if (sendFailure.get() != null) {
        break;
      }
      checkpointAcknowledged.set(c.treeSize());
      sent = true;
    }
    return sent;
  }

  /** Leaves from {@code from}: from the in-memory buffer when it has them in order, else from the log. */
  private List<byte[]> take(long from, int max) {
    List<byte[]> out = new ArrayList<>();
    Leaf head;
    while ((head = recent.peek()) != null && head.index() < from) {
      recent.poll();
    }
    long expected = from;
    while (out.size() < max && (head = recent.peek()) != null && head.index() == expected) {
      out.add(recent.poll().bytes());
      expected++;
    }
    if (out.isEmpty()) {
      return source.leaves(from, max);
    }
    return out;
  }

  private void await(Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      if (!closed && !pending) {
        wake.awaitNanos(timeout.toNanos());
      }
      pending = false;
    } finally {
      lock.unlock();
    }
  }

  private void sleep(Duration d) {
    lock.lock();
    try {
      if (!closed) {
        wake.awaitNanos(d.toNanos());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  /** The exception and its causes in one line, for the status and the log. */
  private static String describe(Exception e) {
    List<String> parts = new ArrayList<>();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (!(t instanceof java.util.concurrent.ExecutionException && t.getCause() != null)) {
        parts.add(t.getClass().getSimpleName() + ": " + t.getMessage());
      }
    }
    return String.join("; caused by ", parts);
  }

}
