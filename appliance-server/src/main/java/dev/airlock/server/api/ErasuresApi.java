package dev.airlock.server.api;

import dev.airlock.server.vocabulary.Problems;
import dev.airlock.server.auditing.ErasureRequests;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Principal;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auditing.AuditViews;
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
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Map;

/**
 * GDPR erasure requests over JSON, the same four-eyes steps as the console's Erasure page: a DPO
 * or an ADMIN lists and requests; a DPO other than the requester confirms, which destroys the
 * subject's keys in the audit log for good. Each route names its roles itself: an {@code @Allowed} on
 * the class would add its roles to a method's own.
 */
@Controller("/admin/erasures")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ErasuresApi {
  private final ErasureRequests erasures;

  public ErasuresApi(ErasureRequests erasures) {
    this.erasures = erasures;
  }

  record NewErasure(String subject, String reason) {}

  /** The pending requests, oldest first. */
  @Get
  @Allowed({Role.DPO, Role.ADMIN})
  public MutableHttpResponse<?> pending() {
    return AuditAnswers.run(HttpStatus.OK, () -> Map.of("data", AuditViews.erasures(erasures.pending())));
  }

  @Get("/{id}")
  @Allowed({Role.DPO, Role.ADMIN})
  public MutableHttpResponse<?> get(@PathVariable String id) {
    return AuditAnswers.run(HttpStatus.OK, () -> AuditViews.erasure(erasures.find(id).orElseThrow(
        () -> new java.util.NoSuchElementException("there is no erasure request '" + id + "'"))));
  }

  @Post(consumes = MediaType.ALL)
  @Allowed({Role.DPO, Role.ADMIN})
  public MutableHttpResponse<?> request(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return AuditAnswers.run(HttpStatus.CREATED, () -> {
      NewErasure n = Problems.read(body, NewErasure.class);
      return AuditViews.erasure(erasures.requestErasure(n.subject(), person(request), n.reason()));
    });
  }

  @Post(uri = "/{id}/confirm", consumes = MediaType.ALL)
  @Allowed(Role.DPO)
  public MutableHttpResponse<?> confirm(HttpRequest<?> request, @PathVariable String id) {
    return AuditAnswers.run(HttpStatus.OK, () -> AuditViews.erasure(erasures.confirmErasure(id, person(request))));
  }

  /** Erasure takes two named people; the operator token is not one. */
  static String person(HttpRequest<?> request) {
    Principal me = Access.require(request);
    if (!me.isUser()) {
      throw new IllegalArgumentException("erasure takes two named people (four eyes); the operator token is not one:"
          + " sign in as a console user (POST /admin/session)");
    }
    return me.username();
  }
}
