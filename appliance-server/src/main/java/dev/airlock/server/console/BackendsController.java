package dev.airlock.server.console;

import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.backend.BackendStatus;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * Backends (ADMIN): every served model's replicas with their address, process, health, load and
 * restarts, and the last lines of each replica's log. Read-only; models are changed on the Models page.
 */
@Produces(MediaType.TEXT_HTML)
@Controller("/console/backends")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.ADMIN)
public class BackendsController {
  private final BackendStatus status;
  private final Pages pages;

  public BackendsController(BackendStatus status, Pages pages) {
    this.status = status;
    this.pages = pages;
  }

  @Get
  public Object list(HttpRequest<?> request) {
    return pages.ok(Page.of(request, "backends", "Backends")
        .with("models", status.report(BackendStatus.DEFAULT_LOG_LINES))
        .with("logLines", BackendStatus.DEFAULT_LOG_LINES));
  }
}
