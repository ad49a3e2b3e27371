package dev.airlock.server.api;

import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.changes.PendingChange;
import dev.airlock.server.changes.PendingChanges;
import dev.airlock.server.changes.RoleGrant;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Changes that take two people, over JSON: ADMINs and DPOs see what waits; a DPO who is neither
 * the proposer nor its beneficiary confirms; a DPO declines (or the proposer withdraws); the
 * proposer of a confirmed account collects its one-time password. The same as the console's
 * Changes page. Each route names its roles itself; none is open to the operator token.
 */
@Controller("/admin/changes")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ChangesApi {
  private final PendingChanges changes;

  public ChangesApi(PendingChanges changes) {
    this.changes = changes;
  }

  @Get
  @Allowed({Role.ADMIN, Role.DPO})
  public MutableHttpResponse<?> list() {
    return Api.run(HttpStatus.OK, () -> Map.of("data", changes.pending().stream().map(ChangesApi::view).toList(),
        "recent", changes.recent().stream().map(ChangesApi::view).toList()));
  }

  @Get("/{id}")
  @Allowed({Role.ADMIN, Role.DPO})
  public MutableHttpResponse<?> get(@PathVariable String id) {
    return Api.run(HttpStatus.OK, () -> view(changes.find(id).orElseThrow(() -> new NoSuchElementException(
        "no change '" + id + "': list the pending ones with GET /admin/changes"))));
  }

  @Post(uri = "/{id}/confirm", consumes = MediaType.ALL)
  @Allowed(Role.DPO)
  public MutableHttpResponse<?> confirm(HttpRequest<?> request, @PathVariable String id) {
    return Api.run(HttpStatus.OK, () -> {
      PendingChanges.Confirmed c = changes.confirm(id, Access.person(request));
      Map<String, Object> out = view(c.change());
      out.put("recorded", c.recorded());
      return out;
    });
  }

  @Post(uri = "/{id}/decline", consumes = MediaType.ALL)
  @Allowed({Role.ADMIN, Role.DPO})
  public MutableHttpResponse<?> decline(HttpRequest<?> request, @PathVariable String id) {
    return Api.run(HttpStatus.OK, () -> view(changes.decline(id, Access.person(request))));
  }

  /** The one-time password of the account a confirmed grant made or reset: to its proposer, once. */
  @Post(uri = "/{id}/one-time-password", consumes = MediaType.ALL)
  @Allowed(Role.ADMIN)
  public MutableHttpResponse<?> oneTimePassword(HttpRequest<?> request, @PathVariable String id) {
    return Api.run(HttpStatus.OK, () -> {
      PendingChanges.ReleasedPassword p = changes.releaseOneTimePassword(id, Access.person(request));
      return Map.of("username", p.username(), "oneTimePassword", p.oneTimePassword());
    });
  }

  static Map<String, Object> view(PendingChange p) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", p.id());
    out.put("kind", p.change().kind().label());
    out.put("summary", p.summary());
    out.put("details", p.change().details());
    out.put("state", p.state().name());
    out.put("proposedBy", p.proposedBy());
    out.put("proposedAt", p.proposedAt().toString());
    out.put("decidedBy", p.decidedBy().orElse(null));
    out.put("decidedAt", p.decidedAt().map(Object::toString).orElse(null));
    if (p.change() instanceof RoleGrant g && g.comesWithPassword()) out.put("passwordReleased", p.passwordReleased());
    return out;
  }
}
