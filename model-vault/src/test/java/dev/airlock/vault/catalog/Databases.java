package dev.airlock.vault.catalog;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** The PostgreSQL the tests may use: a fresh schema each time, or nothing when none answers. */
final class Databases {
  private Databases() {}

  static String url() {
    return Optional.ofNullable(System.getenv("AIRLOCK_TEST_POSTGRES_URL"))
        .orElse("jdbc:postgresql://127.0.0.1:5432/postgres");
  }

  static String user() {
    return Optional.ofNullable(System.getenv("AIRLOCK_TEST_POSTGRES_USER")).orElse("postgres");
  }

  static String password() {
    return Optional.ofNullable(System.getenv("AIRLOCK_TEST_POSTGRES_PASSWORD")).orElse("");
  }

  /** A data source on a new, empty schema, or empty when PostgreSQL is not reachable. */
  static Optional<DataSource> freshPostgresSchema() {
    String schema = "vault_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(url() + "?connectTimeout=2", user(), password())) {
      c.createStatement().execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      return Optional.empty();
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url());
    ds.setUser(user());
    ds.setPassword(password());
    ds.setCurrentSchema(schema);
    return Optional.of(ds);
  }
}
