package dev.airlock.audit.kafka;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The wire format of the two topics and the few reads both sides need. Keys are 8-byte big-endian
 * unsigned numbers (leaf index, checkpoint tree size); everything lives in partition 0, because
 * Kafka keeps order only within a partition.
 */
final class TopicRecords {
  /** The only partition used: a single partition is what keeps leaves in index order. */
  static final int PARTITION = 0;

  /** Key length: one 64-bit big-endian number. */
  static final int KEY_SIZE = Long.BYTES;

  /** How long one poll waits; short, because callers loop until they reach a known end offset. */
  static final Duration POLL = Duration.ofMillis(200);

  private TopicRecords() {}

  static byte[] key(long n) {
    return ByteBuffer.allocate(KEY_SIZE).putLong(n).array();
  }

  /** Decodes a key, or says where and why it is not one. */
  static long number(ConsumerRecord<byte[], byte[]> record) {
    byte[] key = record.key();
    if (key == null || key.length != KEY_SIZE) {
      throw new MirrorFormatException(
          "record at offset " + record.offset() + " of topic '" + record.topic() + "' has a "
              + (key == null ? "missing key" : key.length + "-byte key")
              + "; expected an 8-byte big-endian number. Is this topic written by something else?");
    }
    return ByteBuffer.wrap(key).getLong();
  }

  static KafkaConsumer<byte[], byte[]> consumer(MirrorTopics topics) {
    Map<String, Object> props = new HashMap<>(topics.clientProperties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, topics.bootstrapServers());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** The last record of the topic's partition, if it has any. */
  static Optional<ConsumerRecord<byte[], byte[]>> last(
      KafkaConsumer<byte[], byte[]> consumer, String topic, Duration timeout) {
    TopicPartition tp = new TopicPartition(topic, PARTITION);
    consumer.assign(List.of(tp));
    long begin = consumer.beginningOffsets(List.of(tp), timeout).get(tp);
    long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
    if (end <= begin) {
      return Optional.empty();
    }
    consumer.seek(tp, end - 1);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      ConsumerRecord<byte[], byte[]> last = null;
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL).records(tp)) {
        last = r;
      }
      if (last != null) {
        return Optional.of(last);
      }
    }
    throw new org.apache.kafka.common.errors.TimeoutException(
        "could not read the last record of topic '" + topic + "' within " + timeout);
  }

  /** Every record of partition 0 from the beginning up to the end offset seen when called. */
  static List<ConsumerRecord<byte[], byte[]>> all(
      KafkaConsumer<byte[], byte[]> consumer, String topic, Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    forEach(consumer, topic, timeout, out::add);
    return out;
  }

  /** Streams every record of partition 0 up to the end offset seen when called. */
  static void forEach(
      KafkaConsumer<byte[], byte[]> consumer,
      String topic,
      Duration timeout,
      java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    TopicPartition tp = new TopicPartition(topic, PARTITION);
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
    long quietSince = System.nanoTime();
    while (consumer.position(tp, timeout) < end) {
      var records = consumer.poll(POLL).records(tp);
      if (records.isEmpty()) {
        if (System.nanoTime() - quietSince > timeout.toNanos()) {
          throw new org.apache.kafka.common.errors.TimeoutException(
              "topic '" + topic + "' stopped delivering records at offset "
                  + consumer.position(tp) + " of " + end + " for " + timeout);
        }
        continue;
      }
      quietSince = System.nanoTime();
      for (ConsumerRecord<byte[], byte[]> r : records) {
        if (r.offset() < end) {
          sink.accept(r);
        }
      }
    }
  }

  /** Whether the topic exists on the cluster, checking that it has the single partition we need. */
  static boolean exists(Admin admin, String topic, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    Set<String> names = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!names.contains(topic)) {
      return false;
    }
    TopicDescription d =
        admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
    if (d.partitions().size() != 1) {
      throw new MirrorFormatException(
          "topic '" + topic + "' has " + d.partitions().size() + " partitions; the audit mirror needs"
              + " exactly one to keep leaves in order. Create it with --partitions 1, or use another topic.");
    }
    return true;
  }

  /** Creates the topic with one partition, kept forever (a verifier needs every leaf from 0). */
  static void ensure(Admin admin, String topic, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (exists(admin, topic, timeout)) {
      return;
    }
    NewTopic t = new NewTopic(topic, Optional.of(1), Optional.empty())
        .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1", "cleanup.policy", "delete"));
    try {
      admin.createTopics(List.of(t)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }
}
