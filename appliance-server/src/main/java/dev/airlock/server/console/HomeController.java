package dev.airlock.server.console;

import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** The console's start page: what each of the signed-in user's roles has waiting. */
@Produces(MediaType.TEXT_HTML)
@Controller("/console")
@ExecuteOn(TaskExecutors.BLOCKING)
public class HomeController {
  private final Pages pages;

  public HomeController(Pages pages) {
    this.pages = pages;
  }

  @Get
  @Allowed({Role.ADMIN, Role.DPO, Role.AUDITOR})
  public Object home(HttpRequest<?> request) {
    return pages.ok(Page.of(request, "home", "Overview"));
  }
}
