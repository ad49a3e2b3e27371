package dev.airlock.server;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The appliance schema, migrated by Flyway from {@code classpath:db/migration}. The same scripts
 * run on H2 (embedded) and PostgreSQL (scale-out); see docs/architecture.md for the conventions
 * that keep them portable.
 */
public final class SchemaMigrations {
  public static final String LOCATION = "classpath:db/migration";

  private SchemaMigrations() {}

  public static MigrateResult migrate(DataSource dataSource) {
    return Flyway.configure()
        .dataSource(dataSource)
        .locations(LOCATION)
        .failOnMissingLocations(true)
        .load()
        .migrate();
  }
}
