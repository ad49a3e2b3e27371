package dev.airlock.server;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.airlock.vault.catalog.VaultSchema;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance database: opened and migrated when the server starts, so a broken schema stops
 * the server instead of failing its first request.
 */
@Context
public class ApplianceDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApplianceDatabase.class);

  /** How long a readiness probe waits for a connection before calling the database down. */
  static final int PROBE_TIMEOUT_SECONDS = 2;

  /** Pool connection timeout: long enough for a busy PostgreSQL, short enough to fail a probe. */
  private static final long CONNECTION_TIMEOUT_MS = 5_000;

  private final HikariDataSource dataSource;
  private final String description;
  private final String instanceId;

  public ApplianceDatabase(ApplianceConfig config) {
    ApplianceConfig.DatabaseConfig db = config.getDatabase();
    HikariConfig hikari = new HikariConfig();
    Optional<String> url = db.url();
    if (url.isPresent()) {
      hikari.setJdbcUrl(url.get());
      hikari.setUsername(db.getUsername());
      hikari.setPassword(db.getPassword());
      description = redact(url.get());
    } else {
      Path dataDir = config.getDataDir().toAbsolutePath().normalize();
      Path dir = dataDir.resolve("db");
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the database directory " + dir
            + ": check that the data directory is writable, or set AIRLOCK_DATA_DIR", e);
      }
      hikari.setJdbcUrl(VaultSchema.embeddedUrl(dataDir));
      hikari.setUsername(VaultSchema.EMBEDDED_USER);
      description = "H2 file " + dir.resolve("airlock.mv.db");
    }
    hikari.setMaximumPoolSize(db.getPoolSize());
    hikari.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
    hikari.setPoolName("airlock-db");
    dataSource = new HikariDataSource(hikari);
    try {
      var result = SchemaMigrations.migrate(dataSource);
      LOG.info("database ready: {} at schema version {} ({} migrations applied now)",
          description, result.targetSchemaVersion == null ? "current" : result.targetSchemaVersion,
          result.migrationsExecuted);
      instanceId = ensureInstance(dataSource);
    } catch (RuntimeException | SQLException e) {
      dataSource.close();
      if (e instanceof SQLException sql) {
        throw new IllegalStateException("cannot record the appliance identity in " + description + ": " + sql.getMessage(), sql);
      }
      throw (RuntimeException) e;
    }
  }

  /** The appliance's identity, created on the first start and kept for its lifetime. */
  private static String ensureInstance(DataSource dataSource) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      try (var rs = c.createStatement().executeQuery("SELECT id FROM appliance_instance")) {
        if (rs.next()) return rs.getString(1);
      }
      String id = java.util.UUID.randomUUID().toString();
      try (var insert = c.prepareStatement("INSERT INTO appliance_instance (id, created_at) VALUES (?, ?)")) {
        insert.setString(1, id);
        insert.setObject(2, java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC));
        insert.executeUpdate();
      }
      return id;
    }
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** This appliance's id, stable across restarts and shared by every node on one database. */
  public String instanceId() {
    return instanceId;
  }

  public String description() {
    return description;
  }

  /** True when a connection can be had and answers within the probe timeout. */
  public boolean isReachable() {
    if (dataSource.isClosed()) return false;
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(PROBE_TIMEOUT_SECONDS);
    } catch (SQLException e) {
      LOG.warn("database probe failed: {}", e.getMessage());
      return false;
    }
  }

  @PreDestroy
  @Override
  public void close() {
    dataSource.close();
  }

  private static String redact(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
