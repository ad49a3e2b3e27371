package dev.airlock.server.console;

import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Principal;
import dev.airlock.server.auth.Role;
import dev.airlock.server.changes.PendingChange;
import dev.airlock.server.changes.PendingChanges;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Map;

/**
 * Changes that take two people (ADMIN and DPO): what waits for a DPO, with Confirm and Decline for
 * the DPOs who may decide it, Withdraw for its proposer, and, once confirmed, the one-time password
 * of a new or reset account for the ADMIN who proposed it. Each route names its roles itself.
 */
@Produces(MediaType.TEXT_HTML)
@Controller("/console/changes")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ChangesController {
  private final PendingChanges changes;
  private final Pages pages;

  public ChangesController(PendingChanges changes, Pages pages) {
    this.changes = changes;
    this.pages = pages;
  }

  @Get
  @Allowed({Role.ADMIN, Role.DPO})
  public Object list(HttpRequest<?> request) {
    return pages.ok(page(request));
  }

  @Post(uri = "/{id}/confirm", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  @Allowed(Role.DPO)
  public Object confirm(HttpRequest<?> request, @PathVariable String id) {
    try {
      PendingChanges.Confirmed c = changes.confirm(id, Access.person(request));
      return pages.ok(page(request).notice("Confirmed and done: " + c.change().summary() + ". The audit record names "
          + c.change().proposedBy() + " (proposed) and you (confirmed)."));
    } catch (RuntimeException e) {
      return pages.render(page(request).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  @Post(uri = "/{id}/decline", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  @Allowed({Role.ADMIN, Role.DPO})
  public Object decline(HttpRequest<?> request, @PathVariable String id) {
    try {
      PendingChange p = changes.decline(id, Access.person(request));
      return pages.ok(page(request).notice("Declined: " + p.summary() + ". Nothing was changed."));
    } catch (RuntimeException e) {
      return pages.render(page(request).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  @Post(uri = "/{id}/one-time-password", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  @Allowed(Role.ADMIN)
  public Object oneTimePassword(HttpRequest<?> request, @PathVariable String id) {
    try {
      PendingChanges.ReleasedPassword p = changes.releaseOneTimePassword(id, Access.person(request));
      return pages.ok(page(request).with("oneTime", Map.of("username", p.username(), "password", p.oneTimePassword()))
          .notice("The one-time password of " + p.username() + " is below; it is shown only now."));
    } catch (RuntimeException e) {
      return pages.render(page(request).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  /**
   * A change as this page shows it to the signed-in person: whether they may confirm it, whether
   * they proposed it (and so may withdraw it), whether it would give them a role.
   */
  public record Row(PendingChange change, boolean mayConfirm, boolean mayDecline, boolean mine, boolean forMe) {
    static Row of(PendingChange p, Principal me) {
      boolean dpo = me.has(Role.DPO);
      boolean mine = p.proposedBy().equals(me.username());
      boolean forMe = p.change().beneficiary().filter(me.username()::equals).isPresent();
      return new Row(p, dpo && !mine && !forMe, dpo || mine, mine, forMe);
    }
  }

  private Page page(HttpRequest<?> request) {
    Principal me = Access.require(request);
    return Page.of(request, "changes", "Changes waiting for a second person")
        .with("pending", changes.pending().stream().map(p -> Row.of(p, me)).toList())
        .with("recent", changes.recent().stream().map(p -> Row.of(p, me)).toList());
  }

}
