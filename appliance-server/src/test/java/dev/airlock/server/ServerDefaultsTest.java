package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ServerDefaultsTest {
  @Test
  void listensOnLoopbackPort8080WithDataUnderDotData() {
    // Only the configuration is read: starting the context would open the database in ./data.
    try (ApplicationContext ctx = ApplicationContext.builder().build()) {
      Environment env = ctx.getEnvironment().start();
      assertThat(env.getProperty("micronaut.server.host", String.class)).contains("127.0.0.1");
      assertThat(env.getProperty("micronaut.server.port", Integer.class)).contains(8080);
      assertThat(env.getProperty("airlock.data-dir", Path.class)).contains(Path.of("./data"));
      assertThat(env.getProperty("airlock.database.url", String.class)).contains("");
    }
  }

  @Test
  void embeddedDatabaseIsH2InPostgresModeUnderTheDataDirectory() {
    assertThat(dev.airlock.vault.catalog.VaultSchema.embeddedUrl(Path.of("/srv/airlock")))
        .isEqualTo("jdbc:h2:file:/srv/airlock/db/airlock;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0");
  }
}
