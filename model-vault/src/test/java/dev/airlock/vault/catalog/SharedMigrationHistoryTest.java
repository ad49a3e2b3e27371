package dev.airlock.vault.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI migrates with only the vault's migrations on its class path; the server with all of
 * them (stood in for here by {@code db/servertest}, a copy of the server's V1). Either may go
 * first on a fresh data directory.
 */
class SharedMigrationHistoryTest {
  static final String SERVER_ONLY = "classpath:db/servertest";
  @TempDir Path tmp;

  @Test
  void theCliMigratesADatabaseTheServerCreatedWithoutKnowingTheServersMigrations() throws SQLException {
    DataSource ds = VaultSchema.embedded(tmp);
    VaultSchema.configure(ds, VaultSchema.LOCATION, SERVER_ONLY).load().migrate();

    var result = VaultSchema.migrate(ds);

    assertThat(result.success).isTrue();
    assertThat(tables(ds)).contains("appliance_instance", "vault_model_version");
  }

  @Test
  void theServerAppliesItsLowerVersionsAfterTheCliMigratedFirst() throws SQLException {
    DataSource ds = VaultSchema.embedded(tmp);
    VaultSchema.migrate(ds);
    assertThat(tables(ds)).doesNotContain("appliance_instance").contains("vault_blob");

    var result = VaultSchema.configure(ds, VaultSchema.LOCATION, SERVER_ONLY).load().migrate();

    assertThat(result.migrationsExecuted).isEqualTo(1);
    assertThat(tables(ds)).contains("appliance_instance", "vault_blob");
  }

  private static java.util.List<String> tables(DataSource ds) throws SQLException {
    java.util.List<String> names = new java.util.ArrayList<>();
    try (Connection c = ds.getConnection();
        var r = c.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
      while (r.next()) names.add(r.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
    }
    return names;
  }
}
