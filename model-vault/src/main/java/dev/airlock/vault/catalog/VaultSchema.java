package dev.airlock.vault.catalog;

import java.nio.file.Path;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * Opens and migrates the appliance database when the vault runs without the server (the CLI).
 *
 * <p>The server and the CLI share one Flyway history in {@code classpath:db/migration}, but each
 * has only some modules' migrations on its class path: the CLI lacks the server's own (V1-V9,
 * V40, V50). Flyway is therefore told that applied migrations it cannot see are fine
 * ({@code *:missing}), and that a lower version may arrive after a higher one was applied
 * ({@code outOfOrder}): when the CLI imports into a fresh data directory before the server's
 * first start, the server later applies V1 below the vault's V10_1. The vault's tables refer to
 * no table another module owns, so the order does not matter to them.
 */
public final class VaultSchema {
  public static final String LOCATION = "classpath:db/migration";

  private VaultSchema() {}

  public static MigrateResult migrate(DataSource dataSource) {
    return configure(dataSource, LOCATION).load().migrate();
  }

  /**
   * The tolerant Flyway configuration both the CLI and the server should use on the shared
   * history; the server passes its own locations (normally the same {@link #LOCATION}).
   */
  public static FluentConfiguration configure(DataSource dataSource, String... locations) {
    return Flyway.configure()
        .dataSource(dataSource)
        .locations(locations)
        .ignoreMigrationPatterns("*:missing")
        .outOfOrder(true);
  }

  /**
   * The embedded database of a data directory: the same H2 file, user and URL options the server
   * uses (appliance-server's ApplianceDatabase), so both open one database. A small pool keeps
   * the database open between statements; the caller disposes of it.
   */
  public static JdbcConnectionPool embedded(Path dataDir) {
    return JdbcConnectionPool.create(embeddedUrl(dataDir), EMBEDDED_USER, "");
  }

  /** The user of the embedded database; it has no password because it is a file only this user reads. */
  public static final String EMBEDDED_USER = "airlock";

  /**
   * The JDBC URL of a data directory's embedded database: H2 in PostgreSQL mode, so the
   * scale-out database runs the same SQL. {@code WRITE_DELAY=0}: a commit is written to the file
   * when it commits. With H2's default (up to 500 ms later) a server killed outright lost changes
   * it had acknowledged, while their audit records, already durable, stayed: an approval or an
   * activation the log names and the catalog does not.
   */
  public static String embeddedUrl(Path dataDir) {
    Path base = dataDir.toAbsolutePath().normalize().resolve("db").resolve("airlock");
    return "jdbc:h2:file:" + base + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";
  }
}
