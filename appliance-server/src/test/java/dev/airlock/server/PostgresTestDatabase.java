package dev.airlock.server;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A PostgreSQL for tests: the one named by AIRLOCK_TEST_POSTGRES_URL (default
 * 127.0.0.1:5432, user postgres), else a Testcontainers one where Docker runs, else the test is
 * skipped with a message saying how to provide one.
 */
public final class PostgresTestDatabase {
  public static final String URL_ENV = "AIRLOCK_TEST_POSTGRES_URL";
  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

  private static PostgreSQLContainer container;

  public record Endpoint(String url, String user, String password) {
    public Connection connect() throws SQLException {
      Properties p = new Properties();
      p.setProperty("user", user);
      p.setProperty("password", password);
      p.setProperty("connectTimeout", "3");
      return DriverManager.getConnection(url, p);
    }
  }

  private PostgresTestDatabase() {}

  /** A reachable PostgreSQL, or the calling test is skipped (never failed) saying why. */
  public static synchronized Endpoint require() {
    String url = Optional.ofNullable(System.getenv(URL_ENV)).filter(s -> !s.isBlank()).orElse(DEFAULT_URL);
    Endpoint configured = new Endpoint(url,
        Optional.ofNullable(System.getenv("AIRLOCK_TEST_POSTGRES_USER")).orElse("postgres"),
        Optional.ofNullable(System.getenv("AIRLOCK_TEST_POSTGRES_PASSWORD")).orElse(""));
    try (Connection c = configured.connect()) {
      return configured;
    } catch (SQLException unreachable) {
      if (container == null && dockerAvailable()) {
        container = new PostgreSQLContainer("postgres:16-alpine");
        container.start();
      }
      if (container != null) {
        return new Endpoint(container.getJdbcUrl(), container.getUsername(), container.getPassword());
      }
      Assumptions.abort("PostgreSQL tests skipped: no PostgreSQL at " + url + " (" + unreachable.getMessage()
          + ") and no Docker engine for Testcontainers. Set " + URL_ENV + " to run them.");
      throw new AssertionError("unreachable");
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }
}
