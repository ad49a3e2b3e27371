package dev.airlock.server.console;

import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.changes.PendingChange;
import dev.airlock.server.changes.PendingChanges;
import dev.airlock.server.changes.TrustedKey;
import dev.airlock.server.trust.TrustAdmin;
import dev.airlock.vault.trust.TrustRole;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Map;

/**
 * The trust store (ADMIN): the keys the vault trusts for bringing bundles in (transfer) and for
 * model signatures (publisher); propose adding a public key (a DPO confirms it on the Changes
 * page), revoke one (its models are flagged).
 */
@Produces(MediaType.TEXT_HTML)
@Controller("/console/trust")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.ADMIN)
public class TrustController {
  private final TrustAdmin trust;
  private final PendingChanges changes;
  private final Pages pages;

  public TrustController(TrustAdmin trust, PendingChanges changes, Pages pages) {
    this.trust = trust;
    this.changes = changes;
    this.pages = pages;
  }

  @Get
  public Object list(HttpRequest<?> request) {
    return pages.ok(page(request, Map.of()));
  }

  @Post(consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object add(HttpRequest<?> request, @Body Map<String, String> form) {
    try {
      String proposer = Access.person(request);
      PendingChange p = changes.propose(TrustedKey.of(trust.check(form.get("name"), form.get("role"), form.get("pem"))),
          proposer);
      return pages.ok(page(request, Map.of()).notice("Proposed: " + p.summary() + ". The key is trusted once a Data"
          + " Protection Officer other than you confirms it on the Changes page; until then nothing changes."));
    } catch (RuntimeException e) {
      return pages.render(page(request, form).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  @Post(uri = "/revoke", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object revoke(HttpRequest<?> request, @Body Map<String, String> form) {
    try {
      TrustAdmin.Revoked r = trust.revoke(form.get("fingerprint"), form.get("reason"), Access.require(request).actorName());
      return pages.ok(page(request, Map.of()).notice("Revoked '" + r.anchor().name() + "': bundles it signs are refused"
          + " from now on; " + r.modelsFlagged() + " model version" + (r.modelsFlagged() == 1 ? "" : "s")
          + " it vouched for " + (r.modelsFlagged() == 1 ? "is" : "are") + " flagged; " + r.modelsSuspended()
          + " approved or active " + (r.modelsSuspended() == 1 ? "is" : "are") + " suspended and no longer served."));
    } catch (RuntimeException e) {
      return pages.render(page(request, Map.of()).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  private Page page(HttpRequest<?> request, Map<String, String> form) {
    return Page.of(request, "trust", "Trust store").with("anchors", trust.list())
        .with("roles", TrustRole.values()).with("form", form);
  }
}
