package dev.airlock.server.auditing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditRecord;
import dev.airlock.audit.index.AuditIndex;
import dev.airlock.audit.kafka.KafkaMirror;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditServicesWiringTest {
  @TempDir Path dataDir;

  ApplicationContext start(Map<String, Object> extra) {
    Map<String, Object> props = new java.util.HashMap<>(Map.of("airlock.data-dir", dataDir.toString()));
    props.putAll(extra);
    return ApplicationContext.run(props);
  }

  @Test
  void serverStartsTheIndexWhichCatchesUpAcrossRestartsAndNoMirrorByDefault() throws Exception {
    try (ApplicationContext ctx = start(Map.of())) {
      assertThat(ctx.findBean(KafkaMirror.class)).isEmpty();
      ctx.getBean(AuditLog.class).append(AuditRecord.builder("admin.app.create").build());
    }
    // The next start indexes what the log holds, and every record appended from then on.
    try (ApplicationContext ctx = start(Map.of())) {
      AuditLog log = ctx.getBean(AuditLog.class);
      log.append(AuditRecord.builder("admin.app.revoke").build());
      AuditIndex index = ctx.getBean(AuditIndex.class);
      assertThat(index.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
      AuditSearch search = ctx.getBean(AuditSearch.class);
      AuditSearch.Page page = search.search(AuditSearch.Query.all().type("admin.app.create"), 10, 0, "analyst");
      assertThat(page.entries()).extracting(AuditSearch.Summary::index).containsExactly(0L);
      assertThat(ctx.getBean(AuditIntegrity.class).status().logSize()).isEqualTo(3);
      assertThat(ctx.getBean(ErasureRequests.class).pending()).isEmpty();
    }
    assertThat(dataDir.resolve("audit/index/audit-index.mv.db")).exists();
  }

  @Test
  void kafkaMirrorStartsOnlyWhenConfigured() throws Exception {
    // Nothing listens on port 1: the mirror starts anyway, lags, and never holds up the log.
    try (ApplicationContext ctx = start(Map.of("airlock.audit.kafka.bootstrap-servers", "127.0.0.1:1",
        "airlock.audit.kafka.topic", "audit-test"))) {
      KafkaMirror mirror = ctx.getBean(KafkaMirror.class);
      ctx.getBean(AuditLog.class).append(AuditRecord.builder("admin.app.create").build());
      assertThat(mirror.status().acknowledged()).isZero();
      assertThat(ctx.getBean(AuditServicesFactory.KafkaMirrorConfig.class).topics().checkpointTopic())
          .isEqualTo("audit-test-checkpoints");
    }
  }
}
