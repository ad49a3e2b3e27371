package dev.airlock.server.console;

import dev.airlock.policy.InvalidPolicyException;
import dev.airlock.policy.PolicyFile;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.changes.OrgProfileActivation;
import dev.airlock.server.changes.PendingChange;
import dev.airlock.server.changes.PendingChanges;
import dev.airlock.server.changes.PolicyActivation;
import dev.airlock.server.policy.OrgProfiles;
import dev.airlock.server.policy.PolicyAdmin;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Map;

/**
 * The policy (ADMIN): the active version and its rules, every stored version, the shipped packs;
 * paste a new version (validated, every problem shown where it is), see what it changes (rules
 * and the verdicts of approved and active models), then propose activating it: a DPO confirms.
 */
@Produces(MediaType.TEXT_HTML)
@Controller("/console/policy")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.ADMIN)
public class PolicyController {
  /** What the profile editor starts with when none is active: every key, so none is forgotten. */
  static final String PROFILE_EXAMPLE = "monthly_active_users: 5000\neu_domiciled: true\ncommercial_use: true\n"
      + "multimodal_use: false\n";

  private final PolicyAdmin policies;
  private final OrgProfiles profiles;
  private final PendingChanges changes;
  private final Pages pages;

  public PolicyController(PolicyAdmin policies, OrgProfiles profiles, PendingChanges changes, Pages pages) {
    this.policies = policies;
    this.profiles = profiles;
    this.changes = changes;
    this.pages = pages;
  }

  /** Form field {@code profile}: the organization profile as YAML, saved as its next version. */
  @Post(uri = "/profile", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object saveProfile(HttpRequest<?> request, @Body Map<String, String> form) {
    String text = form.getOrDefault("profile", "");
    try {
      OrgProfiles.Saved saved = profiles.save(text, Access.require(request).actorName());
      int worse = saved.reevaluation().regressions().size();
      return pages.ok(page(request, "").notice(saved.created()
          ? "Saved organization profile version " + saved.profile().version() + ". It judges nothing until activated;"
              + (worse == 0 ? " activating it judges no approved model worse." : " activating it judges " + worse
              + " approved model(s) worse.")
          : "This profile is identical to version " + saved.profile().version() + "; nothing new was saved."));
    } catch (RuntimeException e) {
      return pages.render(page(request, "").with("profileDraft", text).error(PageErrors.message(e)),
          PageErrors.status(e));
    }
  }

  /** Form field {@code version}: proposes activating that profile version; a DPO confirms it. */
  @Post(uri = "/profile/activate", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object activateProfile(HttpRequest<?> request, @Body Map<String, String> form) {
    try {
      Long version = PageErrors.number(form.get("version"), "The version");
      if (version == null) throw new IllegalArgumentException("say which profile version to activate");
      PendingChange p = changes.propose(OrgProfileActivation.of(profiles, version.intValue()), Access.person(request));
      return pages.ok(page(request, "").notice("Proposed: " + p.summary() + ". It judges models once a Data"
          + " Protection Officer other than you confirms it on the Changes page; until then nothing changes."));
    } catch (RuntimeException e) {
      return pages.render(page(request, "").error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  /** {@code ?pack=NAME} puts a shipped pack's text into the editor as a starting point. */
  @Get
  public Object show(HttpRequest<?> request, @Nullable @QueryValue String pack) {
    String draft = "";
    if (pack != null && !pack.isBlank()) {
      if (!PolicyFile.PACKS.contains(pack)) {
        return pages.render(page(request, "").error("There is no shipped pack named '" + pack + "'."), HttpStatus.NOT_FOUND);
      }
      draft = PolicyFile.pack(pack).source();
    }
    return pages.ok(page(request, draft));
  }

  @Post(consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object upload(HttpRequest<?> request, @Body Map<String, String> form) {
    String yaml = form.getOrDefault("yaml", "");
    try {
      PolicyAdmin.Saved saved = policies.save(yaml, Access.require(request).actorName());
      String what = saved.policy().name() + " version " + saved.policy().version();
      return pages.ok(page(request, "").with("preview", saved.preview()).notice(saved.created()
          ? "Saved " + what + ". Check what it changes below, then activate it."
          : "This text is identical to " + what + "; nothing new was saved."));
    } catch (InvalidPolicyException e) {
      return pages.render(page(request, yaml).with("problems", e.problems())
          .error("The policy was not saved: " + e.problems().size() + " problem" + (e.problems().size() == 1 ? "" : "s")
              + " to fix, listed below."), HttpStatus.BAD_REQUEST);
    } catch (RuntimeException e) {
      return pages.render(page(request, yaml).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  @Get("/{name}/{version}")
  public Object version(HttpRequest<?> request, @PathVariable String name, @PathVariable int version) {
    try {
      return pages.ok(page(request, "").with("preview", policies.preview(name, version)));
    } catch (RuntimeException e) {
      return pages.render(page(request, "").error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  @Post(uri = "/activate", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object activate(HttpRequest<?> request, @Body Map<String, String> form) {
    try {
      Long version = PageErrors.number(form.get("version"), "The version");
      if (version == null) throw new IllegalArgumentException("say which version to activate");
      PendingChange p = changes.propose(PolicyActivation.of(policies.preview(form.getOrDefault("name", ""),
          version.intValue())), Access.person(request));
      return pages.ok(page(request, "").notice("Proposed: " + p.summary() + ". It becomes the active policy once a"
          + " Data Protection Officer other than you confirms it on the Changes page; until then nothing changes."));
    } catch (RuntimeException e) {
      return pages.render(page(request, "").error(PageErrors.message(e)), PageErrors.status(e));
    }
  }


  private Page page(HttpRequest<?> request, String draft) {
    var active = policies.active();
    return Page.of(request, "policy", "Policy")
        .with("active", active.orElse(null))
        .with("approvals", active.flatMap(a -> PolicyAdmin.approvals(a.policy().policy())).orElse(null))
        .with("versions", policies.versions())
        .with("packs", policies.packs())
        .with("draft", draft)
        .with("profileDraft", profiles.active().map(a -> a.profile().text()).orElse(PROFILE_EXAMPLE))
        .with("profile", profiles.active().orElse(null))
        .with("profiles", profiles.versions());
  }
}
