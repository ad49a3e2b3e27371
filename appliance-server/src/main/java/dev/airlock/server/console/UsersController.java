package dev.airlock.server.console;

import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.EnumSet;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/** Users and roles (ADMIN): add a user (the one-time password is shown once), roles, disable, reset. */
@Produces(MediaType.TEXT_HTML)
@Controller("/console/users")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.ADMIN)
public class UsersController {
  private final Users users;
  private final Pages pages;

  public UsersController(Users users, Pages pages) {
    this.users = users;
    this.pages = pages;
  }

  @Get
  public Object list(HttpRequest<?> request) {
    return pages.ok(page(request));
  }

  @Post(consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object create(HttpRequest<?> request, @Body Map<String, String> form) {
    try {
      Users.Created c = users.create(form.get("username"), form.get("displayName"), roles(form),
          Access.require(request).actorName());
      return pages.ok(page(request).with("oneTime", Map.of("username", c.user().username(), "password", c.oneTimePassword()))
          .notice("Added " + c.user().username() + ". Hand over the one-time password below; it is shown only now."));
    } catch (IllegalArgumentException | IllegalStateException e) {
      return pages.render(page(request).error(SignInController.capitalize(e.getMessage()) + "."), HttpStatus.BAD_REQUEST);
    }
  }

  @Post(uri = "/{username}/roles", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object setRoles(HttpRequest<?> request, @PathVariable String username, @Body Map<String, String> form) {
    return change(request, () -> users.setRoles(username, roles(form), Access.require(request).actorName()),
        "Roles of " + username + " changed; their sessions were ended.");
  }

  @Post(uri = "/{username}/disable", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object disable(HttpRequest<?> request, @PathVariable String username) {
    return change(request, () -> users.setDisabled(username, true, Access.require(request).actorName()),
        username + " is disabled and signed out.");
  }

  @Post(uri = "/{username}/enable", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object enable(HttpRequest<?> request, @PathVariable String username) {
    return change(request, () -> users.setDisabled(username, false, Access.require(request).actorName()),
        username + " is enabled.");
  }

  @Post(uri = "/{username}/reset-password", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object resetPassword(HttpRequest<?> request, @PathVariable String username) {
    try {
      String password = users.resetPassword(username, Access.require(request).actorName());
      return pages.ok(page(request).with("oneTime", Map.of("username", username, "password", password))
          .notice("New one-time password for " + username + "; it is shown only now."));
    } catch (NoSuchElementException e) {
      return pages.render(page(request).error(SignInController.capitalize(e.getMessage()) + "."), HttpStatus.NOT_FOUND);
    }
  }

  private Object change(HttpRequest<?> request, Runnable action, String done) {
    try {
      action.run();
      return pages.ok(page(request).notice(done));
    } catch (NoSuchElementException e) {
      return pages.render(page(request).error(SignInController.capitalize(e.getMessage()) + "."), HttpStatus.NOT_FOUND);
    } catch (IllegalArgumentException | IllegalStateException e) {
      return pages.render(page(request).error(SignInController.capitalize(e.getMessage()) + "."), HttpStatus.BAD_REQUEST);
    }
  }

  private Page page(HttpRequest<?> request) {
    return Page.of(request, "users", "Users and roles").with("users", users.list()).with("roles", Role.values());
  }

  /** Checkbox fields named after the roles ({@code ADMIN=on}). */
  static Set<Role> roles(Map<String, String> form) {
    Set<Role> out = EnumSet.noneOf(Role.class);
    for (Role r : Role.values()) if (form.containsKey(r.name())) out.add(r);
    return out;
  }
}
