package dev.airlock.audit.kafka;

import java.util.Map;
import java.util.Objects;

/**
 * Where a mirror lives: the broker(s) and the two topics, plus any client settings the
 * installation needs (TLS, SASL). Both the mirror and the verifier take one.
 *
 * @param bootstrapServers Kafka's {@code bootstrap.servers}
 * @param leafTopic the topic of leaves (key: index, value: leaf bytes)
 * @param checkpointTopic the topic of signed checkpoints (key: tree size, value: note text)
 * @param clientProperties extra Kafka client settings; they cannot override the ones the mirror's
 *     guarantees rest on (idempotence, acks, ordering)
 */
public record MirrorTopics(
    String bootstrapServers, String leafTopic, String checkpointTopic, Map<String, Object> clientProperties) {
  /** The leaf topic a server uses unless configured otherwise. */
  public static final String DEFAULT_LEAF_TOPIC = "airlock-audit";

  /** Appended to the leaf topic's name to name the checkpoint topic, unless given explicitly. */
  public static final String CHECKPOINT_TOPIC_SUFFIX = "-checkpoints";

  public MirrorTopics {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(leafTopic, "leafTopic");
    Objects.requireNonNull(checkpointTopic, "checkpointTopic");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("the Kafka mirror needs bootstrap servers (host:port[,host:port...])");
    }
    if (leafTopic.equals(checkpointTopic)) {
      throw new IllegalArgumentException(
          "leaves and checkpoints need two different topics, both were '" + leafTopic + "'");
    }
    clientProperties = Map.copyOf(clientProperties);
  }

  /** The leaf topic as given, the checkpoint topic named after it, no extra client settings. */
  public static MirrorTopics of(String bootstrapServers, String leafTopic) {
    return new MirrorTopics(bootstrapServers, leafTopic, leafTopic + CHECKPOINT_TOPIC_SUFFIX, Map.of());
  }

  /** The same topics with the checkpoint topic given explicitly. */
  public MirrorTopics withCheckpointTopic(String topic) {
    return new MirrorTopics(bootstrapServers, leafTopic, topic, clientProperties);
  }

  /** The same topics with extra client settings. */
  public MirrorTopics withClientProperties(Map<String, Object> properties) {
    return new MirrorTopics(bootstrapServers, leafTopic, checkpointTopic, properties);
  }
}
