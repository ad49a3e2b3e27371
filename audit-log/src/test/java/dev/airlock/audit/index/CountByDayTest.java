package dev.airlock.audit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditKeys;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogOptions;
import dev.airlock.audit.AuditRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CountByDayTest {
  static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  @TempDir Path dir;

  @Test
  void countsEntriesOfOneTypePerUtcDayAndGroup() throws Exception {
    try (AuditLog log = AuditLog.open(dir.resolve("audit"), AuditKeys.generate("airlock.test/audit"),
        AuditLogOptions.defaults())) {
      // Day 1: 2 x m-a by crm, 1 x m-b by a user. Day 2: 1 x m-a by hr at 23:59:59.999. Responses never count.
      log.append(req(T0.plusSeconds(60), Actor.app("crm"), "m-a"));
      log.append(req(T0.plusSeconds(120), Actor.app("crm"), "m-a"));
      log.append(req(T0.plusSeconds(180), Actor.user("u1"), "m-b"));
      log.append(AuditRecord.builder("inference.response").time(T0.plusSeconds(181)).actor(Actor.app("crm"))
          .model("m-b").build());
      log.append(req(T0.plus(Duration.ofDays(2)).minusMillis(1), Actor.app("hr"), "m-a"));
      log.append(req(T0.plus(Duration.ofDays(2)), Actor.app("hr"), "m-a")); // outside [from, to)
      try (AuditIndex index = AuditIndex.open(log)) {
        assertThat(index.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
        Instant to = T0.plus(Duration.ofDays(2));
        assertThat(index.countByDay("inference.request", T0, to, AuditIndex.GroupBy.MODEL)).containsExactly(
            new DayCount(LocalDate.parse("2026-11-01"), "m-a", 2), new DayCount(LocalDate.parse("2026-11-01"), "m-b", 1),
            new DayCount(LocalDate.parse("2026-11-02"), "m-a", 1));
        assertThat(index.countByDay("inference.request", T0, to, AuditIndex.GroupBy.APP)).containsExactly(
            new DayCount(LocalDate.parse("2026-11-01"), "crm", 2), new DayCount(LocalDate.parse("2026-11-02"), "hr", 1));
        assertThatThrownBy(() -> index.countByDay("inference.request", to, T0, AuditIndex.GroupBy.APP))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the time range is empty");
      }
    }
  }

  static AuditRecord req(Instant t, Actor actor, String model) {
    return AuditRecord.builder("inference.request").time(t).actor(actor).model(model).build();
  }
}
