package dev.airlock.audit.kafka;

import kafka.server.BrokerServer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** One real KRaft broker (combined broker and controller) in the test JVM, restartable. */
final class KafkaBroker implements AutoCloseable {
  private final KafkaClusterTestKit cluster;

  KafkaBroker() throws Exception {
    cluster = new KafkaClusterTestKit.Builder(
            new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
  }

  String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Stops the broker side (the controller keeps running), as an outage would. */
  void stopBroker() {
    broker().shutdown();
  }

  void startBroker() throws Exception {
    broker().startup();
    cluster.waitForReadyBrokers();
  }

  private BrokerServer broker() {
    return cluster.brokers().values().iterator().next();
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
