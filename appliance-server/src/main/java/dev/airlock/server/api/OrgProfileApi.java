package dev.airlock.server.api;

import dev.airlock.policy.OrgProfile;
import dev.airlock.policy.OrgProfileStore;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.changes.OrgProfileActivation;
import dev.airlock.server.changes.PendingChange;
import dev.airlock.server.changes.PendingChanges;
import dev.airlock.server.policy.OrgProfiles;
import dev.airlock.server.policy.Reevaluation;
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
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The organization profile over JSON: its versions and the active one (ADMIN or DPO), and saving a
 * new version (ADMIN). A saved version judges nothing until it is activated, which an ADMIN
 * proposes and a DPO confirms (see docs/approvals.md).
 */
@Controller("/admin/org-profile")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed({Role.ADMIN, Role.DPO})
public class OrgProfileApi {
  private final OrgProfiles profiles;
  private final PendingChanges changes;

  public OrgProfileApi(OrgProfiles profiles, PendingChanges changes) {
    this.profiles = profiles;
    this.changes = changes;
  }

  @Get
  public MutableHttpResponse<?> list() {
    return Api.run(HttpStatus.OK, () -> {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("active", profiles.active().map(OrgProfileApi::active).orElse(null));
      out.put("versions", profiles.versions().stream().map(OrgProfileApi::version).toList());
      return out;
    });
  }

  /** Body: the profile as YAML or JSON ({@code monthly_active_users}, {@code eu_domiciled}, ...). */
  @Post(consumes = MediaType.ALL)
  @Allowed(Role.ADMIN)
  public MutableHttpResponse<?> save(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return Api.run(HttpStatus.CREATED, () -> {
      OrgProfiles.Saved s = profiles.save(body == null ? "" : new String(body, StandardCharsets.UTF_8),
          Access.require(request).actorName());
      // A version judges nothing until activated: propose that with .../versions/{v}/activate.
      Map<String, Object> out = version(s.profile());
      out.put("created", s.created());
      out.put("wouldSuspend", s.reevaluation().regressions().stream().map(r -> Map.of("model", r.model(),
          "before", r.before().name(), "after", r.after().name())).toList());
      return out;
    });
  }

  /**
   * Proposes activating a saved version (202): it judges models once a DPO other than the proposer
   * confirms it under {@code /admin/changes}.
   */
  @Post(uri = "/versions/{version}/activate", consumes = MediaType.ALL)
  @Allowed(Role.ADMIN)
  public MutableHttpResponse<?> activate(HttpRequest<?> request, @PathVariable int version) {
    return Api.run(HttpStatus.ACCEPTED, () -> {
      PendingChange p = changes.propose(OrgProfileActivation.of(profiles, version), Access.person(request));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("change", ChangesApi.view(p));
      out.put("message", PolicyApi.proposed(p));
      return out;
    });
  }

  static Map<String, Object> version(OrgProfileStore.Stored s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("version", s.version());
    out.put("profile", profile(s.profile()));
    out.put("text", s.text());
    out.put("sha256", s.sha256());
    out.put("savedBy", s.savedBy());
    out.put("savedAt", s.savedAt().toString());
    return out;
  }

  private static Map<String, Object> active(OrgProfileStore.Active a) {
    Map<String, Object> out = version(a.profile());
    out.put("proposedBy", a.proposedBy());
    out.put("confirmedBy", a.confirmedBy());
    out.put("activatedAt", a.activatedAt().toString());
    return out;
  }

  private static Map<String, Object> profile(OrgProfile p) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("monthlyActiveUsers", p.monthlyActiveUsers().orElse(null));
    out.put("euDomiciled", p.euDomiciled().orElse(null));
    out.put("commercialUse", p.commercialUse().orElse(null));
    out.put("multimodalUse", p.multimodalUse().orElse(null));
    return out;
  }

  static Map<String, Object> reevaluation(Reevaluation r) {
    return Map.of("regressions", r.regressions().size(), "unreadable", r.unreadable());
  }
}
