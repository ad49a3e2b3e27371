package dev.airlock.server.api;

import dev.airlock.server.apps.AdminController;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.ConsoleUser;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
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

/** Users and roles over JSON (ADMIN), the same operations as the console's Users page. */
@Controller("/admin/users")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.ADMIN)
public class UsersApi {
  private final Users users;

  public UsersApi(Users users) {
    this.users = users;
  }

  record NewUser(String username, String displayName, List<String> roles) {}

  record RolesBody(List<String> roles) {}

  @Get
  public MutableHttpResponse<?> list() {
    return Api.json(HttpStatus.OK, Map.of("data", users.list().stream().map(UsersApi::view).toList()));
  }

  @Get("/{username}")
  public MutableHttpResponse<?> get(@PathVariable String username) {
    return Api.run(HttpStatus.OK, () -> view(users.find(username)
        .orElseThrow(() -> new NoSuchElementException("no user '" + username + "'"))));
  }

  @Post(consumes = MediaType.ALL)
  public MutableHttpResponse<?> create(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return Api.run(HttpStatus.CREATED, () -> {
      NewUser n = AdminController.read(body, NewUser.class);
      Users.Created c = users.create(n.username(), n.displayName(), roles(n.roles()), Access.require(request).actorName());
      Map<String, Object> out = view(c.user());
      out.put("oneTimePassword", c.oneTimePassword());
      return out;
    });
  }

  @Put(uri = "/{username}/roles", consumes = MediaType.ALL)
  public MutableHttpResponse<?> setRoles(HttpRequest<?> request, @PathVariable String username, @Nullable @Body byte[] body) {
    return Api.run(HttpStatus.OK, () -> view(users.setRoles(username,
        roles(AdminController.read(body, RolesBody.class).roles()), Access.require(request).actorName())));
  }

  @Post(uri = "/{username}/disable", consumes = MediaType.ALL)
  public MutableHttpResponse<?> disable(HttpRequest<?> request, @PathVariable String username) {
    return Api.run(HttpStatus.OK, () -> view(users.setDisabled(username, true, Access.require(request).actorName())));
  }

  @Post(uri = "/{username}/enable", consumes = MediaType.ALL)
  public MutableHttpResponse<?> enable(HttpRequest<?> request, @PathVariable String username) {
    return Api.run(HttpStatus.OK, () -> view(users.setDisabled(username, false, Access.require(request).actorName())));
  }

  @Post(uri = "/{username}/reset-password", consumes = MediaType.ALL)
  public MutableHttpResponse<?> resetPassword(HttpRequest<?> request, @PathVariable String username) {
    return Api.run(HttpStatus.OK, () -> Map.of("username", username,
        "oneTimePassword", users.resetPassword(username, Access.require(request).actorName())));
  }

  static Set<Role> roles(List<String> names) {
    if (names == null) throw new IllegalArgumentException("give 'roles': a list of ADMIN, DPO, AUDITOR");
    Set<Role> out = EnumSet.noneOf(Role.class);
    for (String n : names) out.add(Role.parse(n));
    return out;
  }

  static Map<String, Object> view(ConsoleUser u) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("username", u.username());
    out.put("displayName", u.displayName());
    out.put("roles", u.roles().stream().map(Role::name).sorted().toList());
    out.put("mustChangePassword", u.mustChangePassword());
    out.put("disabled", u.disabled());
    out.put("createdAt", u.createdAt().toString());
    out.put("createdBy", u.createdBy());
    return out;
  }
}
