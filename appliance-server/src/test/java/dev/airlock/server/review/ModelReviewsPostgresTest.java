package dev.airlock.server.review;

import dev.airlock.server.ApplianceConfig;
import dev.airlock.server.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;

/**
 * The same reviews and decisions on PostgreSQL (scale-out), in a fresh schema per test: the
 * migration, the row lock that serializes decisions and the timestamps behave as on H2. Skipped
 * with a message when no PostgreSQL is reachable.
 */
class ModelReviewsPostgresTest extends ModelReviewsTest {
  private PostgresTestDatabase.Endpoint pg;
  private String schema;

  @Override
  ApplianceConfig.DatabaseConfig database() throws Exception {
    pg = PostgresTestDatabase.require();
    schema = "airlock_review_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    ApplianceConfig.DatabaseConfig db = new ApplianceConfig.DatabaseConfig();
    db.setUrl(pg.url() + (pg.url().contains("?") ? "&" : "?") + "currentSchema=" + schema);
    db.setUsername(pg.user());
    db.setPassword(pg.password());
    return db;
  }

  @AfterEach
  void dropSchema() throws Exception {
    if (schema == null) return;
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }
}
