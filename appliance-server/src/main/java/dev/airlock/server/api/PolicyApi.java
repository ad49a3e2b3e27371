package dev.airlock.server.api;

import dev.airlock.server.vocabulary.Problems;
import dev.airlock.policy.InvalidPolicyException;
import dev.airlock.policy.PolicyChange;
import dev.airlock.policy.PolicyStore.StoredPolicy;
import dev.airlock.policy.Rule;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.changes.PendingChange;
import dev.airlock.server.changes.PendingChanges;
import dev.airlock.server.changes.PolicyActivation;
import dev.airlock.server.policy.PolicyAdmin;
import dev.airlock.server.policy.PolicyDiff;
import dev.airlock.server.policy.Reevaluation;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The policy over JSON (ADMIN, as a person), the same operations as the console's Policy page.
 * Activating a version is a proposal a DPO confirms.
 */
@Controller("/admin/policy")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.ADMIN)
public class PolicyApi {
  /** What a pasted policy may be sent as. */
  static final Set<String> YAML_TYPES = Set.of("text/yaml", "application/yaml", "application/x-yaml", "text/x-yaml", "text/plain");

  private final PolicyAdmin policies;
  private final PendingChanges changes;

  public PolicyApi(PolicyAdmin policies, PendingChanges changes) {
    this.policies = policies;
    this.changes = changes;
  }

  @Get
  public MutableHttpResponse<?> overview() {
    return Api.run(HttpStatus.OK, () -> {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("active", policies.active().map(a -> {
        Map<String, Object> m = version(a.policy(), true);
        m.put("activatedBy", a.activation().activatedBy());
        m.put("activatedAt", a.activation().activatedAt().toString());
        return m;
      }).orElse(null));
      out.put("versions", policies.versions().stream().map(v -> version(v, false)).toList());
      out.put("packs", policies.packs().stream().map(p -> Map.of("name", p.name(), "description", p.description(),
          "rules", p.rules())).toList());
      return out;
    });
  }

  /** The body is the policy's YAML ({@code Content-Type: text/yaml} or {@code application/yaml}). */
  @Post(consumes = MediaType.ALL)
  public MutableHttpResponse<?> save(HttpRequest<?> request, @Nullable @Body byte[] body) {
    String type = request.getHeaders().get(HttpHeaders.CONTENT_TYPE);
    String bare = type == null ? "" : type.split(";")[0].strip().toLowerCase(Locale.ROOT);
    if (!YAML_TYPES.contains(bare)) {
      return Problems.write(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Send the policy's YAML as the body with"
          + " 'Content-Type: application/yaml' (or text/yaml); found " + (type == null ? "none" : "'" + type + "'") + ".",
          "unsupported_media_type");
    }
    String yaml = body == null ? "" : new String(body, StandardCharsets.UTF_8);
    try {
      PolicyAdmin.Saved saved = policies.save(yaml, Access.require(request).actorName());
      return Api.run(saved.created() ? HttpStatus.CREATED : HttpStatus.OK, () -> {
        Map<String, Object> out = preview(saved.preview());
        out.put("created", saved.created());
        return out;
      });
    } catch (InvalidPolicyException e) {
      return invalid(e);
    } catch (RuntimeException e) {
      return Api.run(HttpStatus.OK, () -> {
        throw e;
      });
    }
  }

  @Get("/{name}/versions/{version}")
  public MutableHttpResponse<?> get(@PathVariable String name, @PathVariable int version) {
    return Api.run(HttpStatus.OK, () -> preview(policies.preview(name, version)));
  }

  /**
   * Proposes activating a version (202): it becomes active when a DPO other than the proposer
   * confirms it under {@code /admin/changes}.
   */
  @Post(uri = "/{name}/versions/{version}/activate", consumes = MediaType.ALL)
  public MutableHttpResponse<?> activate(HttpRequest<?> request, @PathVariable String name, @PathVariable int version) {
    return Api.run(HttpStatus.ACCEPTED, () -> {
      PendingChange p = changes.propose(PolicyActivation.of(policies.preview(name, version)), Access.person(request));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("change", ChangesApi.view(p));
      out.put("message", proposed(p));
      return out;
    });
  }

  /** What the proposer is told: nothing is active yet. */
  public static String proposed(PendingChange p) {
    return "Proposed: " + p.summary() + ". Nothing changes until a DPO other than you confirms it"
        + " (GET /admin/changes lists it; the console's Changes page shows it to the DPOs).";
  }

  /** An invalid policy: the OpenAI error shape, with every problem and where it is. */
  static MutableHttpResponse<?> invalid(InvalidPolicyException e) {
    Map<String, Object> err = new LinkedHashMap<>();
    err.put("message", "The policy is not valid (" + e.problems().size() + " problem"
        + (e.problems().size() == 1 ? "" : "s") + "); nothing was saved. See 'problems'.");
    err.put("type", "invalid_request_error");
    err.put("param", null);
    err.put("code", "invalid_policy");
    err.put("problems", e.problems().stream().map(p -> Map.of("line", p.line(), "column", p.column(),
        "path", p.path(), "message", p.message())).toList());
    return Api.json(HttpStatus.BAD_REQUEST, Map.of("error", err));
  }

  private static Map<String, Object> preview(PolicyAdmin.Preview p) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("policy", version(p.policy(), true));
    out.put("active", p.active().map(a -> Map.of("name", a.name(), "version", a.version())).orElse(null));
    out.put("isActive", p.alreadyActive());
    out.put("diff", p.diff().map(PolicyApi::diff).orElse(null));
    out.put("reevaluation", reevaluation(p.reevaluation()));
    return out;
  }

  private static Map<String, Object> version(StoredPolicy v, boolean withRules) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", v.name());
    m.put("version", v.version());
    m.put("description", v.policy().description());
    m.put("sha256", v.sha256().hex());
    m.put("savedBy", v.savedBy());
    m.put("savedAt", v.savedAt().toString());
    PolicyAdmin.approvals(v.policy()).ifPresent(n -> m.put("approvals", n));
    if (withRules) m.put("rules", v.policy().rules().stream().map(PolicyApi::rule).toList());
    return m;
  }

  private static Map<String, Object> rule(Rule r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("kind", r.kind().yamlName());
    m.put("verdict", r.verdict().name());
    m.put("description", r.description());
    return m;
  }

  private static Map<String, Object> diff(PolicyDiff d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("added", d.added().stream().map(PolicyApi::rule).toList());
    m.put("removed", d.removed().stream().map(PolicyApi::rule).toList());
    m.put("changed", d.changed().stream().map(c -> {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("id", c.id());
      x.put("fields", c.fields());
      x.put("verdictBefore", c.verdictBefore().name());
      x.put("verdictAfter", c.verdictAfter().name());
      x.put("descriptionBefore", c.descriptionBefore());
      x.put("descriptionAfter", c.descriptionAfter());
      return x;
    }).toList());
    m.put("headerChanges", d.headerChanges());
    return m;
  }

  private static Map<String, Object> reevaluation(Reevaluation r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("models", r.models().stream().map(o -> {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("versionId", o.versionId());
      x.put("model", o.model());
      x.put("state", o.state());
      x.put("verdictBefore", o.before().map(Enum::name).orElse(null));
      x.put("verdictAfter", o.after().name());
      x.put("changed", o.changed());
      x.put("decidingRules", o.decidingRules());
      return x;
    }).toList());
    List<Map<String, Object>> regressions = r.regressions().stream().map(PolicyApi::regression).toList();
    m.put("regressions", regressions);
    m.put("unreadable", r.unreadable());
    return m;
  }

  private static Map<String, Object> regression(PolicyChange.Regression g) {
    return Map.of("model", g.model(), "before", g.before().name(), "after", g.after().name(),
        "decidingRules", g.decidingRules());
  }
}
