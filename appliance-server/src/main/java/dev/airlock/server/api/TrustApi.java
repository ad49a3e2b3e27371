package dev.airlock.server.api;

import dev.airlock.server.vocabulary.Problems;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.changes.PendingChange;
import dev.airlock.server.changes.PendingChanges;
import dev.airlock.server.changes.TrustedKey;
import dev.airlock.server.trust.TrustAdmin;
import dev.airlock.vault.trust.TrustAnchor;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The vault's trust store over JSON (ADMIN, as a person), the same operations as the console's
 * Trust page. Adding a key is a proposal a DPO confirms; revoking one needs nobody else.
 */
@Controller("/admin/trust")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.ADMIN)
public class TrustApi {
  private final TrustAdmin trust;
  private final PendingChanges changes;

  public TrustApi(TrustAdmin trust, PendingChanges changes) {
    this.trust = trust;
    this.changes = changes;
  }

  record NewKey(String name, String role, String pem) {}

  record Revocation(String key, String reason) {}

  @Get
  public MutableHttpResponse<?> list() {
    return Api.json(HttpStatus.OK, Map.of("data", trust.list().stream().map(TrustApi::view).toList()));
  }

  /**
   * Proposes trusting a key (202): it is checked now, and trusted when a DPO other than the
   * proposer confirms it under {@code /admin/changes}.
   */
  @Post(consumes = MediaType.ALL)
  public MutableHttpResponse<?> add(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return Api.run(HttpStatus.ACCEPTED, () -> {
      NewKey k = Problems.read(body, NewKey.class);
      String proposer = Access.person(request);
      PendingChange p = changes.propose(TrustedKey.of(trust.check(k.name(), k.role(), k.pem())), proposer);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("change", ChangesApi.view(p));
      out.put("message", PolicyApi.proposed(p));
      return out;
    });
  }

  /** Body: {"key": "<name or fingerprint>", "reason": "..."}. */
  @Post(uri = "/revoke", consumes = MediaType.ALL)
  public MutableHttpResponse<?> revoke(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return Api.run(HttpStatus.OK, () -> {
      Revocation r = Problems.read(body, Revocation.class);
      if (r.key() == null || r.key().isBlank()) {
        throw new IllegalArgumentException("give 'key': the entry's name or its sha256: fingerprint");
      }
      TrustAdmin.Revoked done = trust.revoke(r.key(), r.reason(), Access.require(request).actorName());
      Map<String, Object> out = view(done.anchor());
      out.put("modelsFlagged", done.modelsFlagged());
      out.put("modelsSuspended", done.modelsSuspended());
      return out;
    });
  }

  static Map<String, Object> view(TrustAnchor a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", a.name());
    m.put("role", a.role().label());
    m.put("fingerprint", a.fingerprint().toString());
    m.put("ca", a.isCa());
    m.put("addedAt", a.addedAt().toString());
    m.put("notBefore", a.notBefore().map(Object::toString).orElse(null));
    m.put("notAfter", a.notAfter().map(Object::toString).orElse(null));
    m.put("revokedAt", a.revocation().map(r -> r.at().toString()).orElse(null));
    m.put("revocationReason", a.revocation().map(TrustAnchor.Revocation::reason).orElse(null));
    return m;
  }
}
