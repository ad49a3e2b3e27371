package dev.airlock.server.console;

import dev.airlock.server.auditing.AuditViews;
import dev.airlock.server.auditing.AuditRefusedException;
import dev.airlock.server.auditing.ErasureRequests;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Principal;
import dev.airlock.server.auth.Role;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Map;

/**
 * GDPR erasure of a data subject's content (DPO or ADMIN may request; only a DPO, and not the
 * requester, may confirm). Confirming destroys the subject's keys in the audit log: their prompts
 * and responses become unreadable for good, while every proof stays valid. Each route names its
 * roles itself: an {@code @Allowed} on the class would add its roles to a method's own.
 */
@Produces(MediaType.TEXT_HTML)
@Controller("/console/erasures")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ErasuresController {
  private final ErasureRequests erasures;
  private final Pages pages;

  public ErasuresController(ErasureRequests erasures, Pages pages) {
    this.erasures = erasures;
    this.pages = pages;
  }

  @Get
  @Allowed({Role.DPO, Role.ADMIN})
  public Object list(HttpRequest<?> request) {
    return pages.ok(page(request));
  }

  @Post(consumes = MediaType.APPLICATION_FORM_URLENCODED)
  @Allowed({Role.DPO, Role.ADMIN})
  public Object request(HttpRequest<?> request, @Body Map<String, String> form) {
    try {
      ErasureRequests.ErasureRequest r = erasures.requestErasure(form.get("subject"), person(request),
          form.get("reason"));
      return pages.ok(page(request).notice("Erasure of '" + r.subject().orElse(r.subjectTag()) + "' requested. Nothing is"
          + " erased until a Data Protection Officer other than you confirms it."));
    } catch (IllegalArgumentException e) {
      return pages.render(page(request).with("form", form).error(SignInController.capitalize(e.getMessage()) + "."),
          HttpStatus.BAD_REQUEST);
    } catch (AuditRefusedException e) {
      return pages.render(page(request).with("form", form).error(SignInController.capitalize(e.getMessage()) + "."),
          HttpStatus.SERVICE_UNAVAILABLE);
    }
  }

  @Post(uri = "/{id}/confirm", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  @Allowed(Role.DPO)
  public Object confirm(HttpRequest<?> request, @PathVariable String id) {
    try {
      ErasureRequests.ErasureRequest r = erasures.confirmErasure(id, person(request));
      return pages.ok(page(request).notice("Erased: " + r.keysDestroyed().orElse(0)
          + " data keys destroyed (audit record " + r.erasureRecord().map(String::valueOf).orElse("?") + ")."
          + " The subject's prompts and responses can no longer be read by anyone."));
    } catch (ErasureRequests.ErasureRefusedException | IllegalArgumentException e) {
      return pages.render(page(request).error(SignInController.capitalize(e.getMessage()) + "."), HttpStatus.CONFLICT);
    } catch (AuditRefusedException e) {
      return pages.render(page(request).error(SignInController.capitalize(e.getMessage()) + "."),
          HttpStatus.SERVICE_UNAVAILABLE);
    }
  }

  private Page page(HttpRequest<?> request) {
    Principal me = Access.require(request);
    return Page.of(request, "erasures", "Erasure requests")
        .with("pending", AuditViews.erasures(erasures.pending()))
        .with("canConfirm", me.has(Role.DPO))
        .with("myName", me.username())
        .with("form", Map.of());
  }

  /**
   * The signed-in person: erasure takes two named people, so the operator token cannot take part.
   *
   * @throws IllegalArgumentException the caller is the operator token
   */
  static String person(HttpRequest<?> request) {
    Principal me = Access.require(request);
    if (!me.isUser()) {
      throw new IllegalArgumentException("erasure takes two named people (four eyes); the operator token is not one:"
          + " sign in as a console user");
    }
    return me.username();
  }
}
