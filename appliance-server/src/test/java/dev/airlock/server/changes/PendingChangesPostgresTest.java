package dev.airlock.server.changes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.server.PostgresTestDatabase;
import dev.airlock.server.auth.Role;
import dev.airlock.server.gateway.TestAppliance;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two-person changes on PostgreSQL (scale-out), in a fresh schema: the V60_1 migration, proposing,
 * confirming (the claim, the change and its record in one transaction), declining and releasing a
 * one-time password behave as on H2. Skipped with a message when no PostgreSQL is reachable.
 */
class PendingChangesPostgresTest {
  @TempDir Path dir;

  @Test
  void proposeConfirmDeclineAndReleaseOnPostgres() throws Exception {
    PostgresTestDatabase.Endpoint pg = PostgresTestDatabase.require();
    String schema = "airlock_changes_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    try (TestAppliance app = TestAppliance.start(dir, List.of(), Map.of(
        "airlock.database.url", pg.url() + (pg.url().contains("?") ? "&" : "?") + "currentSchema=" + schema,
        "airlock.database.username", pg.user(), "airlock.database.password", pg.password()))) {
      Appliance a = new Appliance(app);
      a.bootstrap("adam", List.of("dora", "dan"), List.of());
      String adam = a.token("adam");
      String dora = a.token("dora");

      Appliance.Answer user = a.call(adam, "POST", "/admin/users", Map.of("username", "erin", "roles", List.of("DPO")));
      assertThat(user.status()).isEqualTo(202);
      String grant = user.body().at("/change/id").asText();
      assertThat(a.call(a.token("dan"), "POST", "/admin/changes/" + grant + "/confirm", null).status()).isEqualTo(200);
      assertThat(a.users.find("erin").orElseThrow().roles()).containsExactly(Role.DPO);
      String password = a.call(adam, "POST", "/admin/changes/" + grant + "/one-time-password", null)
          .body().at("/oneTimePassword").asText();
      assertThat(a.users.checkPassword("erin", password.toCharArray())).isTrue();

      a.savedPolicy("pg-policy", "adam");
      String policy = a.call(adam, "POST", "/admin/policy/pg-policy/versions/1/activate", null).body().at("/change/id").asText();
      Appliance.State before = a.state();
      assertThat(a.call(a.token("erin"), "POST", "/admin/changes/" + policy + "/confirm", null).status())
          .as("erin still has her one-time password").isEqualTo(403);
      assertThat(a.state()).isEqualTo(before);
      assertThat(a.call(dora, "POST", "/admin/changes/" + policy + "/confirm", null).status()).isEqualTo(200);
      assertThat(a.state().activePolicy()).isEqualTo("pg-policy@1");

      String key = a.call(adam, "POST", "/admin/trust", Map.of("name", "pg-key", "role", "transfer",
          "pem", Appliance.newKeyPem())).body().at("/change/id").asText();
      assertThat(a.call(dora, "POST", "/admin/changes/" + key + "/decline", null).status()).isEqualTo(200);
      assertThat(a.state().trusted()).doesNotContain("pg-key");
      assertThat(a.changes.pending()).isEmpty();
      assertThat(a.changes.recent()).extracting(PendingChange::state).containsExactly(
          PendingChange.State.DECLINED, PendingChange.State.CONFIRMED, PendingChange.State.CONFIRMED);
    } finally {
      try (Connection c = pg.connect(); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }
}
