package dev.airlock.server;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The server's own settings, under {@code airlock.*} in application.yml, overridable by
 * environment variables ({@code AIRLOCK_DATA_DIR}, {@code AIRLOCK_DATABASE_URL}, ...).
 */
@ConfigurationProperties("airlock")
public class ApplianceConfig {
  /** Everything the appliance keeps lives under one directory; relative to the working directory. */
  private Path dataDir = Path.of("data");

  private final DatabaseConfig database;

  public ApplianceConfig(DatabaseConfig database) {
    this.database = database;
  }

  public Path getDataDir() {
    return dataDir;
  }

  public void setDataDir(Path dataDir) {
    this.dataDir = dataDir;
  }

  public DatabaseConfig getDatabase() {
    return database;
  }

  /** Where the appliance database lives: empty URL means the embedded H2 file in the data directory. */
  @ConfigurationProperties("database")
  public static class DatabaseConfig {
    /** Default pool size: two cores serve a few dozen concurrent requests without queuing on the pool. */
    static final int DEFAULT_POOL_SIZE = 10;

    private String url = "";
    private String username = "";
    private String password = "";
    private int poolSize = DEFAULT_POOL_SIZE;

    public Optional<String> url() {
      return url == null || url.isBlank() ? Optional.empty() : Optional.of(url);
    }

    public String getUrl() {
      return url;
    }

    public void setUrl(String url) {
      this.url = url;
    }

    public String getUsername() {
      return username;
    }

    public void setUsername(String username) {
      this.username = username;
    }

    public String getPassword() {
      return password;
    }

    public void setPassword(String password) {
      this.password = password;
    }

    public int getPoolSize() {
      return poolSize;
    }

    public void setPoolSize(int poolSize) {
      this.poolSize = poolSize;
    }
  }
}
