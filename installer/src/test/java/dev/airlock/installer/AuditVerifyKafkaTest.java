package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditKeys;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogOptions;
import dev.airlock.audit.AuditRecord;
import dev.airlock.audit.kafka.KafkaMirror;
import dev.airlock.audit.kafka.MirrorTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code airlock audit verify --kafka}: a real log mirrored to a real broker, checked by the CLI. */
class AuditVerifyKafkaTest {
  static final AuditKeys KEYS = AuditKeys.generate("airlock.test/audit");
  static final int ENTRIES = 45;

  private static KafkaClusterTestKit cluster;
  @TempDir static Path dataDir;

  @BeforeAll
  static void mirrorALog() throws Exception {
    cluster = new KafkaClusterTestKit.Builder(
            new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    AuditLogOptions options =
        AuditLogOptions.defaults().withCheckpointEntries(10).withCheckpointInterval(Duration.ofHours(1));
    try (AuditLog log = AuditLog.open(AuditLog.directoryIn(dataDir), KEYS, options);
        KafkaMirror mirror = KafkaMirror.start(log, MirrorTopics.of(cluster.bootstrapServers(), "airlock-audit"))) {
      for (int i = 0; i < ENTRIES; i++) {
        log.append(AuditRecord.builder("inference.request").actor(Actor.app("crm")).subject("person-" + i % 3)
            .model("llama-3-8b").requestId("r" + i).payload(("prompt " + i).getBytes(StandardCharsets.UTF_8)).build());
      }
      log.checkpoint();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (mirror.status().lag() > 0 || mirror.status().checkpointAcknowledged() < ENTRIES) {
        assertThat(System.nanoTime()).as("mirror caught up: %s", mirror.status()).isLessThan(deadline);
        Thread.sleep(20);
      }
    }
  }

  @AfterAll
  static void stopBroker() throws Exception {
    cluster.close();
  }

  @Test
  void verifiesTheMirrorFromItsTopics() {
    AirlockCliTest.Run r = AirlockCliTest.run("audit", "verify", "--kafka", cluster.bootstrapServers(),
        "--topic", "airlock-audit", "--verifier-key", KEYS.verifierKey());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("audit mirror OK: 45 leaves and 5 checkpoints verified in topics 'airlock-audit'"
        + " and 'airlock-audit-checkpoints' on " + cluster.bootstrapServers() + " with key " + KEYS.verifierKey()
        + System.lineSeparator());
  }

  @Test
  void failsWithTheIndexWhenACheckpointIsSignedByAnotherKey() {
    String other = AuditKeys.generate("airlock.test/audit").verifierKey();
    AirlockCliTest.Run r = AirlockCliTest.run("audit", "verify", "--kafka", cluster.bootstrapServers(),
        "--topic", "airlock-audit", "--verifier-key", other);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("audit mirror verification FAILED at index 10: checkpoint #1 (tree size 10) is"
        + " not signed by the verifier key airlock.test/audit");
  }

  @Test
  void saysWhenTheCheckpointTopicIsNotTheRightOne() {
    AirlockCliTest.Run r = AirlockCliTest.run("audit", "verify", "--kafka", cluster.bootstrapServers(),
        "--topic", "airlock-audit", "--checkpoint-topic", "airlock-audit", "--verifier-key", KEYS.verifierKey());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("airlock audit verify: leaves and checkpoints need two different topics, both were"
        + " 'airlock-audit'" + System.lineSeparator());
  }

  @Test
  void explainsAnUnreachableCluster() {
    AirlockCliTest.Run r = AirlockCliTest.run("audit", "verify", "--kafka", "127.0.0.1:9", "--topic", "airlock-audit",
        "--timeout", "2", "--verifier-key", KEYS.verifierKey());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("airlock audit verify: cannot read topics 'airlock-audit' and"
            + " 'airlock-audit-checkpoints' on 127.0.0.1:9: ")
        .contains("; check --kafka, the topic names and that the cluster is reachable");
  }

  @Test
  void explainsAMissingClientConfigFile() {
    AirlockCliTest.Run r = AirlockCliTest.run("audit", "verify", "--kafka", cluster.bootstrapServers(),
        "--topic", "airlock-audit", "--kafka-config", dataDir.resolve("nope.properties").toString(),
        "--verifier-key", KEYS.verifierKey());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--kafka-config '" + dataDir.resolve("nope.properties")
        + "' is not a readable file of Kafka client properties");
  }

  @Test
  void readsClientSettingsFromAConfigFile() throws Exception {
    Path config = dataDir.resolve("client.properties");
    Files.writeString(config, "client.id=auditor\n");
    AirlockCliTest.Run r = AirlockCliTest.run("audit", "verify", "--kafka", cluster.bootstrapServers(),
        "--topic", "airlock-audit", "--kafka-config", config.toString(), "--verifier-key", KEYS.verifierKey());
    assertThat(r.exit()).as(r.err()).isZero();
  }

  @Test
  void needsATopicWithTheCluster() {
    AirlockCliTest.Run r = AirlockCliTest.run("audit", "verify", "--kafka", cluster.bootstrapServers(),
        "--verifier-key", KEYS.verifierKey());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required argument(s): --topic=T");
  }

  @Test
  void takesEitherTheDataDirectoryOrTheMirrorNotBoth() {
    AirlockCliTest.Run r = AirlockCliTest.run("audit", "verify", "--data-dir", dataDir.toString(),
        "--kafka", cluster.bootstrapServers(), "--topic", "airlock-audit", "--verifier-key", KEYS.verifierKey());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("mutually exclusive");
  }
}
