package dev.airlock.audit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The mirror against a real Kafka broker (KRaft, in this JVM), restarts and outages included. */
class KafkaMirrorTest {
  /** Generous: the build machine is shared; only an absent result fails a test, never its speed. */
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  private static KafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = new KafkaBroker();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  private static MirrorTopics topics(TestInfo test) {
    return MirrorTopics.of(broker.bootstrapServers(), test.getTestMethod().orElseThrow().getName());
  }

  @Test
  void mirrorsEveryLeafInOrderThenItsCheckpoints(TestInfo test) throws Exception {
    MirrorTopics topics = topics(test);
    InMemorySource log = new InMemorySource("one");
    try (KafkaMirror mirror = KafkaMirror.start(log, topics)) {
      for (int i = 0; i < 3000; i++) {
        mirror.leafAppended(log.append(), log.leaf(i));
        if (i % 1000 == 999) {
          log.checkpoint();
          mirror.checkpointAdded();
        }
      }
      awaitCaughtUp(mirror, 3000, 3000);
      assertThat(mirror.status().lag()).isZero();
      assertThat(mirror.status().lastError()).isEmpty();
    }
    List<ConsumerRecord<byte[], byte[]>> leaves = read(topics.leafTopic());
    assertThat(leaves).hasSize(3000);
    for (int i = 0; i < leaves.size(); i++) {
      assertThat(TopicRecords.number(leaves.get(i))).isEqualTo(i);
      assertThat(leaves.get(i).value()).isEqualTo(log.leaf(i));
      assertThat(leaves.get(i).partition()).isZero();
    }
    List<ConsumerRecord<byte[], byte[]>> checkpoints = read(topics.checkpointTopic());
    assertThat(checkpoints).extracting(TopicRecords::number).containsExactly(1000L, 2000L, 3000L);
    assertThat(new String(checkpoints.get(2).value(), StandardCharsets.UTF_8))
        .isEqualTo(log.checkpointsAfter(2000).get(0).signedNote());
  }

  @Test
  void resumesAfterItsOwnRestartFromTheLastIndexOnTheTopic(TestInfo test) throws Exception {
    MirrorTopics topics = topics(test);
    InMemorySource log = new InMemorySource("two");
    try (KafkaMirror first = KafkaMirror.start(log, topics)) {
      for (int i = 0; i < 1500; i++) {
        first.leafAppended(log.append(), log.leaf(i));
      }
      log.checkpoint();
      first.checkpointAdded();
      awaitCaughtUp(first, 1500, 1500);
    }
    // The server is down for the mirror, not for the log: these were never seen by any mirror.
    for (int i = 0; i < 1000; i++) {
      log.append();
    }
    log.checkpoint();
    try (KafkaMirror second = KafkaMirror.start(log, topics)) {
      awaitCaughtUp(second, 2500, 2500);
    }
    List<ConsumerRecord<byte[], byte[]>> leaves = read(topics.leafTopic());
    assertThat(leaves).extracting(TopicRecords::number).containsExactlyElementsOf(range(2500));
    assertThat(read(topics.checkpointTopic())).extracting(TopicRecords::number).containsExactly(1500L, 2500L);
  }

  @Test
  void survivesABrokerRestartMidStreamWithNoGapsAndAppendsNeverWait(TestInfo test) throws Exception {
    MirrorTopics topics = topics(test);
    InMemorySource log = new InMemorySource("three");
    assertNoGapsAfterOutage(log, topics, Duration.ofSeconds(2), 3000, 6000, false);
  }

  @Test
  void recoversFromAnOutageLongerThanTheDeliveryTimeout(TestInfo test) throws Exception {
    // Sends fail while the broker is away: the mirror must start a new producer session and
    // resume from what the topic really holds.
    MirrorTopics topics = topics(test).withClientProperties(Map.of(
        "delivery.timeout.ms", 3000, "request.timeout.ms", 1000, "linger.ms", 0,
        "reconnect.backoff.max.ms", 500, "max.block.ms", 2000));
    InMemorySource log = new InMemorySource("four");
    assertNoGapsAfterOutage(log, topics, Duration.ofSeconds(8), 2000, 5000, true);
  }

  private void assertNoGapsAfterOutage(
      InMemorySource log, MirrorTopics topics, Duration outage, int before, int total, boolean expectError)
      throws Exception {
    AtomicBoolean errorSeen = new AtomicBoolean();
    try (KafkaMirror mirror = KafkaMirror.start(log, topics)) {
      appendWithCheckpoints(log, mirror, before);
      await(() -> mirror.status().acknowledged() > 0, "the stream to be under way");
      broker.stopBroker();
      try {
        // The log keeps taking appends while Kafka is away; none of these calls waits for it.
        appendWithCheckpoints(log, mirror, total - before);
        // The outage lasts at least this long; when an error is expected, until the mirror reports
        // it (up to a bound far past the delivery timeout: on a loaded machine the first send
        // failure can take longer than the outage's own length to surface).
        long now = System.nanoTime();
        long deadline = now + outage.toNanos();
        long latest = deadline + (expectError ? Duration.ofSeconds(60).toNanos() : 0);
        while (now < deadline || (expectError && !errorSeen.get() && now < latest)) {
          errorSeen.compareAndSet(false, mirror.status().lastError().isPresent());
          pause(Duration.ofMillis(100));
          now = System.nanoTime();
        }
        assertThat(mirror.status().logSize()).isEqualTo(total);
        assertThat(mirror.status().lag()).isPositive();
      } finally {
        broker.startBroker();
      }
      awaitCaughtUp(mirror, total, total);
      assertThat(mirror.status().lastError()).isEmpty();
    }
    if (expectError) {
      assertThat(errorSeen).as("the mirror reported the outage while it lasted").isTrue();
    }
    List<ConsumerRecord<byte[], byte[]>> leaves = read(topics.leafTopic());
    Map<Long, byte[]> byIndex = new LinkedHashMap<>();
    long highest = -1;
    for (ConsumerRecord<byte[], byte[]> r : leaves) {
      long index = TopicRecords.number(r);
      // In order: a record is either the next index or a repeat of one already seen.
      assertThat(index).isLessThanOrEqualTo(highest + 1);
      highest = Math.max(highest, index);
      byte[] earlier = byIndex.putIfAbsent(index, r.value());
      if (earlier != null) {
        assertThat(r.value()).as("a repeated leaf %d carries the same bytes", index).isEqualTo(earlier);
      }
    }
    assertThat(byIndex.keySet()).containsExactlyElementsOf(range(total));
    byIndex.forEach((i, v) -> assertThat(v).isEqualTo(log.leaf(i)));
    List<Long> checkpointSizes = new ArrayList<>();
    read(topics.checkpointTopic()).forEach(r -> checkpointSizes.add(TopicRecords.number(r)));
    assertThat(checkpointSizes.stream().distinct().toList())
        .containsExactlyElementsOf(log.checkpointsAfter(-1).stream().map(CheckpointNote::treeSize).toList());
  }

  @Test
  void refusesATopicThatHoldsAnotherLog(TestInfo test) throws Exception {
    MirrorTopics topics = topics(test);
    InMemorySource other = new InMemorySource("other");
    try (KafkaMirror mirror = KafkaMirror.start(other, topics)) {
      for (int i = 0; i < 10; i++) {
        mirror.leafAppended(other.append(), other.leaf(i));
      }
      awaitCaughtUp(mirror, 10, -1);
    }
    InMemorySource mine = new InMemorySource("mine");
    for (int i = 0; i < 20; i++) {
      mine.append();
    }
    try (KafkaMirror mirror = KafkaMirror.start(mine, topics)) {
      await(() -> mirror.status().lastError().isPresent(), "an error");
      assertThat(mirror.status().lastError().orElseThrow())
          .isEqualTo("topic '" + topics.leafTopic() + "' holds a leaf 9 that differs from the local log's:"
              + " the topic belongs to another log. Configure a new topic for this log.");
      assertThat(mirror.status().acknowledged()).isZero();
    }
    assertThat(read(topics.leafTopic())).hasSize(10);
  }

  @Test
  void appendsNeverWaitForAnUnreachableBroker() throws Exception {
    InMemorySource log = new InMemorySource("offline");
    // Nothing listens on port 9 of loopback: every connection attempt is refused.
    try (KafkaMirror mirror = KafkaMirror.start(log, MirrorTopics.of("127.0.0.1:9", "nowhere"))) {
      for (int i = 0; i < 100_000; i++) {
        mirror.leafAppended(log.append(), log.leaf(i));
      }
      assertThat(mirror.status().logSize()).isEqualTo(100_000);
      assertThat(mirror.status().lag()).isEqualTo(100_000);
      await(() -> mirror.status().lastError().isPresent(), "the failure to reach the broker to be reported");
    }
  }

  @Test
  void refusesATopicWithMoreThanOnePartition(TestInfo test) throws Exception {
    MirrorTopics topics = topics(test);
    try (var admin = org.apache.kafka.clients.admin.Admin.create(
        Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topics.leafTopic(), 3, (short) 1)))
          .all().get();
    }
    InMemorySource log = new InMemorySource("parts");
    log.append();
    try (KafkaMirror mirror = KafkaMirror.start(log, topics)) {
      await(() -> mirror.status().lastError().isPresent(), "an error");
      assertThat(mirror.status().lastError().orElseThrow()).isEqualTo(
          "topic '" + topics.leafTopic() + "' has 3 partitions; the audit mirror needs exactly one to keep leaves"
              + " in order. Create it with --partitions 1, or use another topic.");
    }
  }

  // --- helpers

  /** Appends {@code n} leaves, signing a checkpoint every 500 leaves of the log. */
  static void appendWithCheckpoints(InMemorySource log, KafkaMirror mirror, int n) {
    for (int i = 0; i < n; i++) {
      long index = log.append();
      mirror.leafAppended(index, log.leaf(index));
      if (index % 500 == 499) {
        log.checkpoint();
        mirror.checkpointAdded();
      }
    }
  }

  static List<Long> range(long n) {
    List<Long> out = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
    try (KafkaConsumer<byte[], byte[]> c = TopicRecords.consumer(MirrorTopics.of(broker.bootstrapServers(), "x"))) {
      return TopicRecords.all(c, topic, PATIENCE);
    }
  }

  static void awaitCaughtUp(KafkaMirror mirror, long leaves, long checkpoint) {
    await(() -> mirror.status().acknowledged() == leaves && mirror.status().checkpointAcknowledged() == checkpoint
            && mirror.status().lag() == 0,
        leaves + " leaves and checkpoint " + checkpoint + " acknowledged (now " + mirror.status() + ")");
  }

  static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      pause(Duration.ofMillis(20));
    }
  }

  static void pause(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

}
