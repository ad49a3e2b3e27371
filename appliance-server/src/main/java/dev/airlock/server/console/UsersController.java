package dev.airlock.server.console;

import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
import dev.airlock.server.changes.PendingChanges;
import dev.airlock.server.changes.RoleGrant;
import dev.airlock.server.changes.RoleGrants;
import io.micronaut.http.HttpRequest;
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
import java.util.Set;

/**
 * Users and roles (ADMIN): add a user (the one-time password is shown once), roles, disable,
 * reset. Giving DPO or AUDITOR (and a new password for an account that holds one) is proposed here
 * and waits for a DPO on the Changes page; the page says so and shows what waits.
 */
@Produces(MediaType.TEXT_HTML)
@Controller("/console/users")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.ADMIN)
public class UsersController {
  private final Users users;
  private final RoleGrants grants;
  private final PendingChanges changes;
  private final Pages pages;

  public UsersController(Users users, RoleGrants grants, PendingChanges changes, Pages pages) {
    this.users = users;
    this.grants = grants;
    this.changes = changes;
    this.pages = pages;
  }

  @Get
  public Object list(HttpRequest<?> request) {
    return pages.ok(page(request));
  }

  @Post(consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object create(HttpRequest<?> request, @Body Map<String, String> form) {
    try {
      RoleGrants.Outcome o = grants.create(form.get("username"), form.get("displayName"), roles(form), Access.person(request));
      return outcome(request, o, "Added " + o.user().username() + ".");
    } catch (RuntimeException e) {
      return pages.render(page(request).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  @Post(uri = "/{username}/roles", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object setRoles(HttpRequest<?> request, @PathVariable String username, @Body Map<String, String> form) {
    try {
      RoleGrants.Outcome o = grants.setRoles(username, roles(form), Access.person(request));
      return outcome(request, o, "Roles of " + username + " changed; their sessions were ended.");
    } catch (RuntimeException e) {
      return pages.render(page(request).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  @Post(uri = "/{username}/disable", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object disable(HttpRequest<?> request, @PathVariable String username) {
    return change(request, () -> users.setDisabled(username, true, "user:" + Access.person(request)),
        username + " is disabled and signed out.");
  }

  @Post(uri = "/{username}/enable", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object enable(HttpRequest<?> request, @PathVariable String username) {
    return change(request, () -> users.setDisabled(username, false, "user:" + Access.person(request)),
        username + " is enabled.");
  }

  @Post(uri = "/{username}/reset-password", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object resetPassword(HttpRequest<?> request, @PathVariable String username) {
    try {
      RoleGrants.Outcome o = grants.resetPassword(username, Access.person(request));
      return outcome(request, o, "New one-time password for " + username + "; it is shown only now.");
    } catch (RuntimeException e) {
      return pages.render(page(request).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  /** The page after a user change: the one-time password given at once, or what waits for a DPO. */
  private Object outcome(HttpRequest<?> request, RoleGrants.Outcome o, String done) {
    Page page = page(request);
    if (o.pending().isPresent()) {
      RoleGrant g = (RoleGrant) o.pending().get().change();
      return pages.ok(page.notice(done + " " + String.join(" and ", Users.roleNames(g.roles())) + " for " + g.username()
          + " waits for a Data Protection Officer other than you to confirm it on the Changes page; until then "
          + g.username() + " does not hold it." + (g.comesWithPassword()
              ? " Once it is confirmed, the one-time password is shown to you there, once." : "")));
    }
    o.oneTimePassword().ifPresent(p -> page.with("oneTime", Map.of("username", o.user().username(), "password", p)));
    return pages.ok(page.notice(o.oneTimePassword().isPresent()
        ? done + " Hand over the one-time password below; it is shown only now." : done));
  }

  private Object change(HttpRequest<?> request, Runnable action, String done) {
    try {
      action.run();
      return pages.ok(page(request).notice(done));
    } catch (RuntimeException e) {
      return pages.render(page(request).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  private Page page(HttpRequest<?> request) {
    return Page.of(request, "users", "Users and roles").with("users", users.list()).with("roles", Role.values())
        .with("pendingRoles", changes.pendingRoles());
  }


  /** Checkbox fields named after the roles ({@code ADMIN=on}). */
  static Set<Role> roles(Map<String, String> form) {
    Set<Role> out = EnumSet.noneOf(Role.class);
    for (Role r : Role.values()) if (form.containsKey(r.name())) out.add(r);
    return out;
  }
}
