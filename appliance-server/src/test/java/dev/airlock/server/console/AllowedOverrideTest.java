package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Sessions;
import dev.airlock.server.changes.People;
import dev.airlock.server.gateway.TestAppliance;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A method's {@code @Allowed} replaces its controller's: it narrows, it never adds roles. */
class AllowedOverrideTest {
  @TempDir Path dir;

  @Controller("/admin/allowed-probe")
  @Allowed({Role.DPO, Role.ADMIN})
  @Requires(property = "airlock.test.allowed-probe", value = "true")
  static class Probe {
    @Get("/both")
    public String both() {
      return "both";
    }

    @Get("/dpo-only")
    @Allowed(Role.DPO)
    public String dpoOnly() {
      return "dpo";
    }
  }

  @Test
  void theMethodsRolesReplaceTheControllers() throws Exception {
    try (TestAppliance app = TestAppliance.start(dir, List.of(), Map.of("airlock.test.allowed-probe", "true"))) {
      Sessions sessions = app.server.getApplicationContext().getBean(Sessions.class);
      for (Role r : List.of(Role.DPO, Role.ADMIN)) {
        People.withPassword(app.server.getApplicationContext(), r.name().toLowerCase(), r.title(), EnumSet.of(r),
            "long-enough-password");
      }
      assertThat(status(app, "/admin/allowed-probe/both", sessions.open("admin").token())).isEqualTo(200);
      assertThat(status(app, "/admin/allowed-probe/both", sessions.open("dpo").token())).isEqualTo(200);
      assertThat(status(app, "/admin/allowed-probe/dpo-only", sessions.open("dpo").token())).isEqualTo(200);
      assertThat(status(app, "/admin/allowed-probe/dpo-only", sessions.open("admin").token())).isEqualTo(403);
      assertThat(status(app, "/admin/allowed-probe/dpo-only", TestAppliance.OPERATOR_TOKEN)).isEqualTo(403);
    }
  }

  private static int status(TestAppliance app, String path, String token) throws Exception {
    return app.http.send(HttpRequest.newBuilder(app.url(path)).header("authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
