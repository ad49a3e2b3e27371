package dev.airlock.server.auditing;

import dev.airlock.audit.AuditLog;
import dev.airlock.audit.index.AuditIndex;
import dev.airlock.audit.kafka.KafkaMirror;
import dev.airlock.audit.kafka.MirrorTopics;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts what follows the audit log when the server starts: the query index (always; it catches
 * up with the log in the background) and the Kafka mirror (only when
 * {@code airlock.audit.kafka.bootstrap-servers} is set). Both close before the log does.
 */
@Factory
public class AuditServicesFactory {
  /** Settings under {@code airlock.audit.kafka.*}; the mirror is off unless bootstrap-servers is set. */
  @ConfigurationProperties("airlock.audit.kafka")
  public static class KafkaMirrorConfig {
    private String bootstrapServers = "";
    private String topic = MirrorTopics.DEFAULT_LEAF_TOPIC;
    private String checkpointTopic = "";
    /** Extra Kafka client settings (TLS, SASL); they cannot weaken the mirror's ordering guarantees. */
    private Map<String, String> properties = new HashMap<>();

    public String getBootstrapServers() {
      return bootstrapServers;
    }

    public void setBootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
    }

    public String getTopic() {
      return topic;
    }

    public void setTopic(String topic) {
      this.topic = topic;
    }

    public String getCheckpointTopic() {
      return checkpointTopic;
    }

    public void setCheckpointTopic(String checkpointTopic) {
      this.checkpointTopic = checkpointTopic;
    }

    public Map<String, String> getProperties() {
      return properties;
    }

    public void setProperties(Map<String, String> properties) {
      this.properties = properties;
    }

    /** The topics to mirror to, as the library takes them. */
    public MirrorTopics topics() {
      MirrorTopics t = MirrorTopics.of(bootstrapServers, topic);
      if (!checkpointTopic.isBlank()) {
        t = t.withCheckpointTopic(checkpointTopic);
      }
      return t.withClientProperties(new HashMap<String, Object>(properties));
    }
  }

  /** The index in {@code <data dir>/audit/index}, opened at startup so every appended record is indexed. */
  @Context
  @Bean(preDestroy = "close")
  AuditIndex auditIndex(AuditLog log) {
    return AuditIndex.open(log);
  }

  /** The Kafka mirror, only when configured; a slow or absent cluster never holds up the log. */
  @Context
  @Bean(preDestroy = "close")
  @Requires(property = "airlock.audit.kafka.bootstrap-servers", pattern = ".+")
  KafkaMirror kafkaMirror(AuditLog log, KafkaMirrorConfig config) {
    return KafkaMirror.start(log, config.topics());
  }
}
