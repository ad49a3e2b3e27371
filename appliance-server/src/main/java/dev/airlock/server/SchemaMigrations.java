package dev.airlock.server;

import dev.airlock.vault.catalog.VaultSchema;
import javax.sql.DataSource;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The appliance schema, migrated by Flyway from {@code classpath:db/migration}. The same scripts
 * run on H2 (embedded) and PostgreSQL (scale-out); see docs/architecture.md for the conventions
 * that keep them portable. The server and the CLI share one history with the same tolerant
 * configuration ({@link VaultSchema#configure}), so either may migrate a data directory first.
 */
public final class SchemaMigrations {
  public static final String LOCATION = VaultSchema.LOCATION;

  private SchemaMigrations() {}

  public static MigrateResult migrate(DataSource dataSource) {
    return VaultSchema.configure(dataSource, LOCATION)
        .failOnMissingLocations(true)
        .load()
        .migrate();
  }
}
