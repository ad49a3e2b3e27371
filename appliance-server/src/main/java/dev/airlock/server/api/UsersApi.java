package dev.airlock.server.api;

import dev.airlock.server.auth.Access;
import dev.airlock.server.vocabulary.Problems;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.ConsoleUser;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
import dev.airlock.server.changes.PendingChange;
import dev.airlock.server.changes.PendingChanges;
import dev.airlock.server.changes.RoleGrant;
import dev.airlock.server.changes.RoleGrants;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Users and roles over JSON (ADMIN, as a person: never the operator token), the same operations
 * as the console's Users page. Giving DPO or AUDITOR, and a new password for an account that holds
 * one, wait for a DPO's confirmation: those answers are 202 with the pending change.
 */
@Controller("/admin/users")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.ADMIN)
public class UsersApi {
  private final Users users;
  private final RoleGrants grants;
  private final PendingChanges changes;

  public UsersApi(Users users, RoleGrants grants, PendingChanges changes) {
    this.users = users;
    this.grants = grants;
    this.changes = changes;
  }

  record NewUser(String username, String displayName, List<String> roles) {}

  record RolesBody(List<String> roles) {}

  @Get
  public MutableHttpResponse<?> list() {
    Map<String, List<String>> pending = changes.pendingRoles();
    return Api.json(HttpStatus.OK, Map.of("data", users.list().stream().map(u -> view(u, pending)).toList()));
  }

  @Get("/{username}")
  public MutableHttpResponse<?> get(@PathVariable String username) {
    return Api.run(HttpStatus.OK, () -> view(users.find(username)
        .orElseThrow(() -> new NoSuchElementException("no user '" + username + "'")), changes.pendingRoles()));
  }

  @Post(consumes = MediaType.ALL)
  public MutableHttpResponse<?> create(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return Api.answer(() -> {
      NewUser n = Problems.read(body, NewUser.class);
      return answer(grants.create(n.username(), n.displayName(), roles(n.roles()), Access.person(request)), HttpStatus.CREATED);
    });
  }

  @Put(uri = "/{username}/roles", consumes = MediaType.ALL)
  public MutableHttpResponse<?> setRoles(HttpRequest<?> request, @PathVariable String username, @Nullable @Body byte[] body) {
    return Api.answer(() -> {
      Set<Role> roles = roles(Problems.read(body, RolesBody.class).roles());
      return answer(grants.setRoles(username, roles, Access.person(request)), HttpStatus.OK);
    });
  }

  @Post(uri = "/{username}/disable", consumes = MediaType.ALL)
  public MutableHttpResponse<?> disable(HttpRequest<?> request, @PathVariable String username) {
    return Api.run(HttpStatus.OK, () -> view(users.setDisabled(username, true, "user:" + Access.person(request)),
        changes.pendingRoles()));
  }

  @Post(uri = "/{username}/enable", consumes = MediaType.ALL)
  public MutableHttpResponse<?> enable(HttpRequest<?> request, @PathVariable String username) {
    return Api.run(HttpStatus.OK, () -> view(users.setDisabled(username, false, "user:" + Access.person(request)),
        changes.pendingRoles()));
  }

  @Post(uri = "/{username}/reset-password", consumes = MediaType.ALL)
  public MutableHttpResponse<?> resetPassword(HttpRequest<?> request, @PathVariable String username) {
    return Api.answer(() -> answer(grants.resetPassword(username, Access.person(request)), HttpStatus.OK));
  }

  /**
   * The account as it is now, and either its one-time password (given at once) or, with 202, the
   * change that waits for a DPO and what happens next.
   */
  private MutableHttpResponse<?> answer(RoleGrants.Outcome o, HttpStatus done) {
    Map<String, Object> out = view(o.user(), changes.pendingRoles());
    o.oneTimePassword().ifPresent(p -> out.put("oneTimePassword", p));
    if (o.pending().isEmpty()) return Api.json(done, out);
    PendingChange p = o.pending().get();
    out.put("change", ChangesApi.view(p));
    out.put("message", waiting(p));
    return Api.json(HttpStatus.ACCEPTED, out);
  }

  /** What an ADMIN is told when a grant waits for a DPO. */
  static String waiting(PendingChange p) {
    String who = ((RoleGrant) p.change()).username();
    String password = ((RoleGrant) p.change()).comesWithPassword()
        ? " Then collect " + who + "'s one-time password with POST /admin/changes/" + p.id() + "/one-time-password"
            + " (only you can, once) and hand it over."
        : "";
    return p.summary() + ": this waits for a DPO other than you to confirm it (GET /admin/changes lists it);"
        + " until then " + who + " does not hold it." + password;
  }

  static Set<Role> roles(List<String> names) {
    if (names == null) throw new IllegalArgumentException("give 'roles': a list of ADMIN, DPO, AUDITOR");
    Set<Role> out = EnumSet.noneOf(Role.class);
    for (String n : names) out.add(Role.parse(n));
    return out;
  }

  static Map<String, Object> view(ConsoleUser u, Map<String, List<String>> pendingRoles) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("username", u.username());
    out.put("displayName", u.displayName());
    out.put("roles", u.roles().stream().map(Role::name).sorted().toList());
    out.put("pendingRoles", pendingRoles.getOrDefault(u.username(), List.of()));
    out.put("mustChangePassword", u.mustChangePassword());
    out.put("disabled", u.disabled());
    out.put("createdAt", u.createdAt().toString());
    out.put("createdBy", u.createdBy());
    return out;
  }
}
