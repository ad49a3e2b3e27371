package dev.airlock.server.auditing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditRecord;
import dev.airlock.audit.PendingRecords;
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
  void recordsTheCliLeftWhileTheServerWasStoppedAreInTheLogAndSearchableOnceItStarts() throws Exception {
    // What 'airlock trust add --data-dir' leaves (OfflineAudit in the installer).
    PendingRecords.leave(AuditLog.directoryIn(dataDir), AuditRecord.ofDetails("trust.added", Actor.system("airlock-cli"),
        "ok", Map.of("name", "org-transfer", "role", "transfer", "via", "cli", "username", "installer-1")));

    try (ApplicationContext ctx = start(Map.of())) {
      AuditIndex index = ctx.getBean(AuditIndex.class);
      assertThat(index.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
      AuditSearch.Page page = ctx.getBean(AuditSearch.class)
          .search(AuditSearch.Query.all().type("trust.added"), 10, 0, "analyst");
      assertThat(page.entries()).hasSize(1);
      AuditRecord r = ctx.getBean(AuditLog.class).decrypt(page.entries().getFirst().index()).orElseThrow();
      assertThat(r.actor()).isEqualTo(Actor.system("airlock-cli"));
      assertThat(r.indexFields()).containsEntry("name", "org-transfer").containsEntry("via", "cli")
          .doesNotContainKey("username");
      assertThat(new String(r.payload(), java.nio.charset.StandardCharsets.UTF_8)).contains("installer-1");
    }
    try (java.util.stream.Stream<Path> left = java.nio.file.Files.list(
        AuditLog.directoryIn(dataDir).resolve(PendingRecords.DIRECTORY))) {
      assertThat(left.toList()).isEmpty();
    }
    try (ApplicationContext ctx = start(Map.of())) {
      AuditLog log = ctx.getBean(AuditLog.class);
      java.util.List<String> types = new java.util.ArrayList<>();
      for (long i = 0; i < log.size(); i++) types.add(log.decrypt(i).orElseThrow().type());
      // The search above is itself audited; the left record is there once, not once per start.
      assertThat(types).containsOnlyOnce("trust.added").doesNotHaveDuplicates();
    }
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
