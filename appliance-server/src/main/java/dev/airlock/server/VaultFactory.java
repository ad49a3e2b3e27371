package dev.airlock.server;

import dev.airlock.vault.Vault;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The server's vault: the data directory's blob store and trust store, with the catalog in the
 * server's own database (already migrated by {@link ApplianceDatabase}). Opening it takes the
 * vault's lock, so CLI commands that write the vault refuse to run while the server holds it, and
 * cleans up what an interrupted import left behind.
 */
@Factory
public class VaultFactory {
  @Singleton
  @Bean(preDestroy = "close")
  Vault vault(ApplianceConfig config, ApplianceDatabase database) {
    Path dataDir = config.getDataDir().toAbsolutePath().normalize();
    try {
      return Vault.open(dataDir, database.dataSource(), Vault.Options.defaults());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the vault in " + dataDir
          + ": check that the data directory is writable, or set AIRLOCK_DATA_DIR", e);
    }
  }
}
