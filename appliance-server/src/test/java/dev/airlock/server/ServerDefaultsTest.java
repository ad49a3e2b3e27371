package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.http.server.HttpServerConfiguration;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ServerDefaultsTest {
  @Test
  void listensOnLoopbackPort8080WithDataUnderDotData() {
    try (ApplicationContext ctx = ApplicationContext.builder().eagerInitSingletons(false).start()) {
      HttpServerConfiguration http = ctx.getBean(HttpServerConfiguration.class);
      assertThat(http.getHost()).contains("127.0.0.1");
      assertThat(http.getPort()).contains(8080);
      ApplianceConfig config = ctx.getBean(ApplianceConfig.class);
      assertThat(config.getDataDir()).isEqualTo(Path.of("./data"));
      assertThat(config.getDatabase().url()).isEmpty();
    }
  }

  @Test
  void embeddedDatabaseIsH2InPostgresModeUnderTheDataDirectory() {
    assertThat(ApplianceDatabase.h2FileUrl(Path.of("/srv/airlock/db/airlock")))
        .isEqualTo("jdbc:h2:file:/srv/airlock/db/airlock;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
  }
}
