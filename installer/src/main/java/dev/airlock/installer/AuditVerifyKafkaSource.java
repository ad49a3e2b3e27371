package dev.airlock.installer;

import dev.airlock.audit.VerificationReport;
import dev.airlock.audit.kafka.MirrorTopics;
import dev.airlock.audit.kafka.MirrorVerifier;
import dev.airlock.audit.note.NoteVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Option;

/**
 * The Kafka mirror as the source of {@code airlock audit verify}: the log is rebuilt from the leaf
 * and checkpoint topics alone, as a SIEM or a second site sees it.
 */
final class AuditVerifyKafkaSource {
  /** Print a plain progress line this often when not on a terminal. */
  private static final long PLAIN_PROGRESS_EVERY = 1_000_000;

  @Option(names = "--kafka", required = true, paramLabel = "BOOTSTRAP",
      description = "Verify the Kafka mirror instead: the cluster's bootstrap servers (host:port,...).")
  String bootstrapServers;

  @Option(names = "--topic", required = true, paramLabel = "T",
      description = "The mirror's leaf topic.")
  String topic;

  @Option(names = "--checkpoint-topic", paramLabel = "T",
      description = "The mirror's checkpoint topic (default: the leaf topic + '"
          + MirrorTopics.CHECKPOINT_TOPIC_SUFFIX + "').")
  String checkpointTopic;

  @Option(names = "--kafka-config", paramLabel = "FILE",
      description = "Kafka client properties (TLS, SASL), as for Kafka's own tools' --command-config.")
  Path clientConfig;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "Give up when the cluster does not answer for this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  /** Verifies the mirror and prints the outcome like a verification of the log's files. */
  int verify(NoteVerifier verifier, PrintWriter out, PrintWriter err) {
    MirrorTopics topics;
    try {
      topics = MirrorTopics.of(bootstrapServers, topic).withClientProperties(clientProperties());
      if (checkpointTopic != null) {
        topics = topics.withCheckpointTopic(checkpointTopic);
      }
    } catch (IOException | IllegalArgumentException e) {
      err.println("airlock audit verify: " + e.getMessage());
      return AuditCommand.EXIT_BAD_INPUT;
    }
    String where = "topics '" + topics.leafTopic() + "' and '" + topics.checkpointTopic() + "' on " + bootstrapServers;
    MirrorVerifier mirror = new MirrorVerifier(topics, verifier, Duration.ofSeconds(timeoutSeconds));
    VerificationReport report;
    try {
      if (System.console() != null) {
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("verify").setStyle(ProgressBarStyle.ASCII)
            .setUnit(" leaves", 1).continuousUpdate().build()) {
          report = mirror.verify(bar::stepTo);
        }
      } else {
        LongConsumer plain = n -> {
          if (n > 0 && n % PLAIN_PROGRESS_EVERY == 0) {
            err.println("verified " + n + " leaves so far");
          }
        };
        report = mirror.verify(plain);
      }
    } catch (KafkaException e) {
      err.println("airlock audit verify: cannot read " + where + ": " + e.getMessage()
          + "; check --kafka, the topic names and that the cluster is reachable");
      return AuditCommand.EXIT_BAD_INPUT;
    }
    return AuditVerifyCommand.answer(report, "mirror", "leaves", where, verifier.verifierKey(), out, err);
  }

  private Map<String, Object> clientProperties() throws IOException {
    Map<String, Object> props = new HashMap<>();
    if (clientConfig != null) {
      if (!Files.isRegularFile(clientConfig)) {
        throw new IOException("--kafka-config '" + clientConfig + "' is not a readable file of Kafka client properties");
      }
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(clientConfig)) {
        p.load(in);
      }
      p.forEach((k, v) -> props.put((String) k, v));
    }
    return props;
  }
}
