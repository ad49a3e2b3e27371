package dev.airlock.audit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditKeys;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogOptions;
import dev.airlock.audit.AuditRecord;
import dev.airlock.audit.Checkpoint;
import dev.airlock.audit.VerificationReport;
import dev.airlock.audit.note.NoteVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real log mirrored to a real broker and checked from the consumer side; then topics written by
 * hand from that log's real leaves and checkpoints, with one thing wrong in each.
 */
class MirrorVerifierTest {
  static final AuditKeys KEYS = AuditKeys.generate("airlock.test/audit");
  static final AuditKeys OTHER_KEYS = AuditKeys.generate("airlock.test/audit");
  static final int ENTRIES = 240;

  private static KafkaBroker broker;
  /** The log's leaves and checkpoints (100, 200 and 240 entries), read back after mirroring. */
  private static List<byte[]> leaves;
  private static List<Checkpoint> checkpoints;
  private static MirrorTopics mirrored;

  @TempDir static Path dir;

  @BeforeAll
  static void mirrorARealLog() throws Exception {
    broker = new KafkaBroker();
    mirrored = MirrorTopics.of(broker.bootstrapServers(), "mirrored");
    AuditLogOptions options =
        AuditLogOptions.defaults().withCheckpointInterval(Duration.ofHours(1)).withCheckpointEntries(1_000_000);
    try (AuditLog log = AuditLog.open(dir.resolve("audit"), KEYS, options);
        KafkaMirror mirror = KafkaMirror.start(log, mirrored)) {
      ExecutorService apps = Executors.newFixedThreadPool(4);
      for (int batch = 0; batch < 3; batch++) {
        int n = batch < 2 ? 100 : 40;
        List<Future<Long>> appends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          int k = batch * 100 + i;
          appends.add(apps.submit(() -> log.append(record(k))));
        }
        for (Future<Long> f : appends) {
          f.get();
        }
        log.checkpoint();
      }
      apps.shutdown();
      KafkaMirrorTest.await(() -> mirror.status().lag() == 0 && mirror.status().checkpointAcknowledged() == ENTRIES,
          "the mirror to catch up (" + mirror.status() + ")");
      leaves = new ArrayList<>();
      for (long i = 0; i < log.size(); i++) {
        leaves.add(log.leaf(i));
      }
      checkpoints = log.checkpoints();
    }
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  static AuditRecord record(int k) {
    return AuditRecord.builder(k % 2 == 0 ? "inference.request" : "inference.response")
        .actor(k % 3 == 0 ? Actor.user("user-" + k) : Actor.app("crm")).subject("subject-" + (k % 7))
        .model("llama-3-8b").requestId("req-" + k / 2)
        .payload(("prompt " + k).getBytes(StandardCharsets.UTF_8)).build();
  }

  static VerificationReport verify(MirrorTopics topics, AuditKeys keys) throws Exception {
    return verify(topics, keys, new ArrayList<>());
  }

  static VerificationReport verify(MirrorTopics topics, AuditKeys keys, List<Long> progress) throws Exception {
    return new MirrorVerifier(topics, NoteVerifier.parse(keys.verifierKey()), Duration.ofSeconds(30))
        .verify(progress::add);
  }

  @Test
  void aMirroredLogVerifiesFromTheTopicsAlone() throws Exception {
    assertThat(checkpoints).extracting(Checkpoint::size).containsExactly(100L, 200L, 240L);
    List<Long> progress = new ArrayList<>();
    VerificationReport report = verify(mirrored, KEYS, progress);
    assertThat(report.problem()).isEmpty();
    assertThat(report.entries()).isEqualTo(ENTRIES);
    assertThat(report.checkpoints()).isEqualTo(3);
    assertThat(report.notes()).isEmpty();
    assertThat(progress).last().isEqualTo((long) ENTRIES);
  }

  @Test
  void resentLeavesWithTheSameBytesAreCountedOnce(TestInfo test) throws Exception {
    MirrorTopics topics = write(test, 0, leaves.size(), i -> {}, checkpoints, List.of(150L, 151L, 152L));
    VerificationReport report = verify(topics, KEYS);
    assertThat(report.problem()).isEmpty();
    assertThat(report.entries()).isEqualTo(ENTRIES);
    assertThat(report.notes())
        .containsExactly("3 leaves were sent twice (after a producer restart) with identical bytes; each was counted once");
  }

  @Test
  void reportsAMissingLeafWithItsIndex(TestInfo test) throws Exception {
    MirrorTopics topics = write(test, 0, leaves.size(), i -> {}, checkpoints, List.of());
    MirrorTopics gapped = write(test.getTestMethod().orElseThrow().getName() + "-gap", skip(57), checkpoints);
    assertThat(verify(topics, KEYS).ok()).isTrue();
    VerificationReport report = verify(gapped, KEYS);
    assertThat(report.problem()).hasValueSatisfying(p -> {
      assertThat(p.index()).isEqualTo(57);
      assertThat(p.message()).isEqualTo("leaves 57..57 are missing: offset 57 of topic '" + gapped.leafTopic()
          + "' holds leaf 58 right after leaf 56");
    });
  }

  @Test
  void reportsAnAlteredLeafAtTheFirstCheckpointThatCoversIt(TestInfo test) throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < leaves.size(); i++) {
      byte[] leaf = leaves.get(i).clone();
      if (i == 150) {
        leaf[leaf.length - 1] ^= 1; // one bit of the sealed payload
      }
      records.add(leafRecord("x", i, leaf));
    }
    MirrorTopics topics = write(test.getTestMethod().orElseThrow().getName(), records, checkpoints);
    VerificationReport report = verify(topics, KEYS);
    assertThat(report.problem()).hasValueSatisfying(p -> {
      assertThat(p.index()).isEqualTo(199);
      assertThat(p.message()).startsWith("checkpoint #2 (tree size 200) signs root ")
          .contains(" but the entries hash to ")
          .endsWith(": an entry before this size was altered, added or removed");
    });
    assertThat(report.checkpoints()).isEqualTo(1);
  }

  @Test
  void reportsAResentLeafWithDifferentBytes(TestInfo test) throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < leaves.size(); i++) {
      records.add(leafRecord("x", i, leaves.get(i)));
      if (i == 30) {
        records.add(leafRecord("x", 29, leaves.get(28)));
      }
    }
    MirrorTopics topics = write(test.getTestMethod().orElseThrow().getName(), records, checkpoints);
    VerificationReport report = verify(topics, KEYS);
    assertThat(report.problem()).hasValueSatisfying(p -> {
      assertThat(p.index()).isEqualTo(29);
      assertThat(p.message()).isEqualTo("leaf 29 appears again at offset 31 of topic '" + topics.leafTopic()
          + "' with different bytes: the topic holds two versions of the same entry");
    });
  }

  @Test
  void rejectsACheckpointSignedByAnotherKey(TestInfo test) throws Exception {
    VerificationReport report = verify(mirrored, OTHER_KEYS);
    assertThat(report.problem()).hasValueSatisfying(p -> {
      assertThat(p.index()).isEqualTo(100);
      assertThat(p.message()).startsWith("checkpoint #1 (tree size 100) is not signed by the verifier key"
          + " airlock.test/audit: ");
    });
    assertThat(report.checkpoints()).isZero();
  }

  @Test
  void reportsACheckpointBeyondTheLeavesOnTheTopic(TestInfo test) throws Exception {
    MirrorTopics topics = write(test, 0, 190, i -> {}, checkpoints, List.of());
    VerificationReport report = verify(topics, KEYS);
    assertThat(report.problem()).hasValueSatisfying(p -> {
      assertThat(p.index()).isEqualTo(190);
      assertThat(p.message()).isEqualTo("checkpoint #2 covers 200 leaves but topic '" + topics.leafTopic()
          + "' holds only 190: leaves 190..199 are missing (deleted by retention, or the wrong topic)");
    });
    assertThat(report.checkpoints()).isEqualTo(1);
  }

  @Test
  void rejectsACheckpointWhoseKeyIsNotItsSignedSize(TestInfo test) throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < leaves.size(); i++) {
      records.add(leafRecord("x", i, leaves.get(i)));
    }
    MirrorTopics topics = write(test.getTestMethod().orElseThrow().getName(), records, List.of());
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(topics.checkpointTopic(), 0, TopicRecords.key(150),
          checkpoints.get(0).signedNote().getBytes(StandardCharsets.UTF_8))).get();
    }
    VerificationReport report = verify(topics, KEYS);
    assertThat(report.problem()).hasValueSatisfying(p -> {
      assertThat(p.index()).isEqualTo(150);
      assertThat(p.message()).isEqualTo("checkpoint at offset 0 of topic '" + topics.checkpointTopic()
          + "' has key 150 but signs tree size 100");
    });
  }

  @Test
  void rejectsARecordTheMirrorDidNotWrite(TestInfo test) throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      records.add(leafRecord("x", i, leaves.get(i)));
    }
    records.add(new ProducerRecord<>("x", 0, "eleven".getBytes(StandardCharsets.UTF_8), leaves.get(10)));
    MirrorTopics topics = write(test.getTestMethod().orElseThrow().getName(), records, List.of());
    VerificationReport report = verify(topics, KEYS);
    assertThat(report.problem()).hasValueSatisfying(p -> {
      assertThat(p.index()).isEqualTo(10);
      assertThat(p.message()).isEqualTo("record at offset 10 of topic '" + topics.leafTopic() + "' has a 6-byte key;"
          + " expected an 8-byte big-endian number. Is this topic written by something else?");
    });
  }

  // --- writing topics by hand

  private List<ProducerRecord<byte[], byte[]>> skip(int missing) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < leaves.size(); i++) {
      if (i != missing) {
        records.add(leafRecord("x", i, leaves.get(i)));
      }
    }
    return records;
  }

  private MirrorTopics write(TestInfo test, int from, int to, java.util.function.IntConsumer unused,
      List<Checkpoint> cps, List<Long> resend) throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = from; i < to; i++) {
      records.add(leafRecord("x", i, leaves.get(i)));
      if (!resend.isEmpty() && i == resend.get(resend.size() - 1)) {
        // What a new producer session does after the old one's last batch went unacknowledged.
        for (long r : resend) {
          records.add(leafRecord("x", r, leaves.get((int) r)));
        }
      }
    }
    return write(test.getTestMethod().orElseThrow().getName(), records, cps);
  }

  private static ProducerRecord<byte[], byte[]> leafRecord(String topic, long index, byte[] leaf) {
    return new ProducerRecord<>(topic, 0, TopicRecords.key(index), leaf);
  }

  /** Writes the records (retargeted to a topic named {@code name}) and the checkpoints. */
  private MirrorTopics write(String name, List<ProducerRecord<byte[], byte[]>> records, List<Checkpoint> cps)
      throws Exception {
    MirrorTopics topics = MirrorTopics.of(broker.bootstrapServers(), name);
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(
        Map.of("bootstrap.servers", broker.bootstrapServers(), "enable.idempotence", true, "acks", "all"),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ProducerRecord<byte[], byte[]> r : records) {
        p.send(new ProducerRecord<>(topics.leafTopic(), 0, r.key(), r.value())).get();
      }
      for (Checkpoint c : cps) {
        p.send(new ProducerRecord<>(topics.checkpointTopic(), 0, TopicRecords.key(c.size()),
            c.signedNote().getBytes(StandardCharsets.UTF_8))).get();
      }
    }
    return topics;
  }
}
