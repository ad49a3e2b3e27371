package dev.airlock.server.console;

import dev.airlock.server.review.ApplianceHardware;
import dev.airlock.vault.catalog.CatalogFile;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.policy.Verdict;
import dev.airlock.server.api.ReviewsApi;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Principal;
import dev.airlock.server.auth.Role;
import dev.airlock.server.review.ApprovalRecord;
import dev.airlock.server.review.ApprovalRefused;
import dev.airlock.server.review.DecisionResult;
import dev.airlock.server.review.ModelReviews;
import dev.airlock.server.review.QueueEntry;
import dev.airlock.server.review.ReviewDetail;
import dev.airlock.server.review.Suspensions;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.LifecycleEvent;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelFacts;
import dev.airlock.vault.catalog.ModelVersion;
import dev.airlock.vault.metadata.MemoryEstimator;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
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
import java.io.IOException;
import java.net.InetAddress;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The DPO's model review pages: the queue of models waiting for a decision, one model's review
 * written for a non-engineer (provenance, license with its lineage graph, the policy's verdict
 * rule by rule, metadata and risky content, decisions so far) with the approve / reject form, and
 * the printable approval record for the DPIA file (DPO or ADMIN).
 */
@Produces(MediaType.TEXT_HTML)
@Controller("/console/reviews")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.DPO)
public class ReviewsController {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  private static final Set<LifecycleState> DECIDED = Set.of(LifecycleState.APPROVED, LifecycleState.DENIED);
  private static final int RECENT = 10;

  private final ModelReviews reviews;
  private final Suspensions suspensions;
  private final Vault vault;
  private final Pages pages;
  private final String applianceName;
  private final ApplianceHardware hardware;

  public ReviewsController(ModelReviews reviews, Suspensions suspensions, Vault vault, Pages pages,
      ApplianceHardware hardware, @Value("${airlock.appliance-name:}") String applianceName) {
    this.hardware = hardware;
    this.reviews = reviews;
    this.suspensions = suspensions;
    this.vault = vault;
    this.pages = pages;
    this.applianceName = applianceName;
  }

  @Get
  public Object queue(HttpRequest<?> request) {
    return pages.ok(queuePage(request));
  }

  private List<Map<String, Object>> waiting() {
    List<Map<String, Object>> waiting = new ArrayList<>();
    for (QueueEntry q : reviews.queue()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", q.version().id());
      m.put("model", q.version().modelName());
      m.put("version", q.version().version());
      m.put("verdict", q.verdict().name());
      m.put("badge", badge(q.verdict()));
      m.put("approvals", q.approvals() + " of " + q.requiredApprovals());
      m.put("importedBy", person(q.version().provenance().importer()));
      m.put("importedAt", when(q.version().provenance().importedAt()));
      m.put("policy", q.policyName() + " v" + q.policyVersion());
      waiting.add(m);
    }
    return waiting;
  }

  private Page queuePage(HttpRequest<?> request) {
    List<Map<String, Object>> regressions = new ArrayList<>();
    for (Suspensions.PendingRegression r : suspensions.pendingRegressions()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", r.version().id());
      m.put("model", r.version().modelName());
      m.put("version", r.version().version());
      m.put("state", r.version().state().name());
      m.put("reason", r.reason());
      m.put("raisedAt", when(r.raisedAt()));
      regressions.add(m);
    }
    return Page.of(request, "reviews", "Model review").with("waiting", waiting()).with("decided", recentlyDecided())
        .with("regressions", regressions);
  }

  /**
   * A DPO's decision on a model a policy or profile change judged worse and kept in service:
   * form fields {@code decision} ({@code keep} or {@code suspend}) and {@code justification}.
   */
  @Post(uri = "/{versionId}/regression", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object regression(HttpRequest<?> request, @PathVariable String versionId, @Body Map<String, String> form) {
    Principal me = Access.require(request);
    String decision = form.getOrDefault("decision", "");
    try {
      if (!decision.equals("keep") && !decision.equals("suspend")) {
        throw new IllegalArgumentException("choose Keep serving or Suspend");
      }
      suspensions.decide(versionId, me.username(), decision.equals("keep"), form.getOrDefault("justification", ""));
      return pages.ok(queuePage(request).notice(decision.equals("keep")
          ? "Kept in service; your decision and its justification are in the audit log."
          : "Suspended: it is no longer served and was reviewed again under the active policy."));
    } catch (RuntimeException e) {
      return pages.render(queuePage(request).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  @Get("/{versionId}")
  public Object model(HttpRequest<?> request, @PathVariable String versionId) {
    return show(request, versionId, HttpStatus.OK, null, null, "");
  }

  @Post(uri = "/{versionId}/approve", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object approve(HttpRequest<?> request, @PathVariable String versionId, @Body Map<String, String> form) {
    return decide(request, versionId, form, true);
  }

  @Post(uri = "/{versionId}/reject", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object reject(HttpRequest<?> request, @PathVariable String versionId, @Body Map<String, String> form) {
    return decide(request, versionId, form, false);
  }

  /**
   * Reviews the version again under the active policy and organization profile (a suspended,
   * denied or still waiting one): a new review, with no approvals yet.
   */
  @Post(uri = "/{versionId}/review", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object reviewAgain(HttpRequest<?> request, @PathVariable String versionId) {
    Principal me = Access.require(request);
    try {
      dev.airlock.server.review.Review r = reviews.review(versionId, me.username());
      return show(request, versionId, HttpStatus.OK, "Reviewed again (review " + r.number() + "): " + r.verdict()
          + " by policy " + r.policyName() + " version " + r.policyVersion() + "; earlier approvals do not count"
          + " for it.", null, "");
    } catch (ApprovalRefused e) {
      if (e.reason() == ApprovalRefused.Code.UNKNOWN_VERSION) return notFound(request, e);
      return show(request, versionId, HttpStatus.CONFLICT, null, "Not reviewed again: " + e.getMessage(), "");
    }
  }

  @Get(uri = "/{versionId}/lineage.svg", produces = "image/svg+xml")
  public Object lineage(@PathVariable String versionId) {
    try {
      ReviewDetail d = reviews.latest(versionId).orElse(null);
      if (d == null) return HttpResponse.notFound("no review of " + versionId).contentType(MediaType.TEXT_PLAIN_TYPE);
      return HttpResponse.ok(LineageSvg.draw(JSON.readTree(d.review().licenseReportJson()),
          d.version().modelName() + " " + d.version().version())).contentType("image/svg+xml;charset=utf-8");
    } catch (ApprovalRefused e) {
      return HttpResponse.notFound(e.getMessage()).contentType(MediaType.TEXT_PLAIN_TYPE);
    } catch (IOException e) {
      throw new IllegalStateException("the stored license report of " + versionId + " is not JSON: " + e.getMessage(), e);
    }
  }

  @Get("/{versionId}/record")
  @Allowed({Role.DPO, Role.ADMIN})
  public Object record(HttpRequest<?> request, @PathVariable String versionId) {
    try {
      ApprovalRecord a = reviews.approvalRecord(versionId);
      Map<String, Object> rec = tree(ReviewsApi.record(a));
      rec.put("badge", badge(a.verdict()));
      rec.put("stateSinceText", when(a.stateSince()));
      rec.put("reviewedAtText", when(a.reviewedAt()));
      rec.put("importedAtText", when(a.provenance().importedAt()));
      rec.put("totalSize", size(a.totalBytes()));
      rec.put("files", a.files().stream().map(f -> Map.of("path", f.path(), "bytes", String.format(Locale.ROOT, "%,d", f.size()),
          "sha256", f.sha256().hex())).toList());
      rec.put("decisions", a.decisions().stream().map(dec -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("decision", dec.kind() == dev.airlock.server.review.Decision.Kind.APPROVE ? "Approved" : "Rejected");
        m.put("dpo", dec.dpo());
        m.put("when", when(dec.decidedAt()));
        m.put("justification", dec.justification());
        m.put("review", dec.reviewId().equals(a.reviewId()) ? "current review" : "an earlier review");
        return m;
      }).toList());
      return pages.ok(Page.of(request, "review-record", "Approval record: " + a.modelName() + " " + a.version())
          .with("rec", rec).with("appliance", appliance()).with("printedOn", when(Instant.now())));
    } catch (ApprovalRefused e) {
      return notFound(request, e);
    }
  }

  private Object decide(HttpRequest<?> request, String versionId, Map<String, String> form, boolean approve) {
    String justification = form.getOrDefault("justification", "");
    Principal me = Access.require(request);
    try {
      DecisionResult r = approve ? reviews.approve(versionId, me.username(), justification)
          : reviews.reject(versionId, me.username(), justification);
      return show(request, versionId, HttpStatus.OK, outcome(r), null, "");
    } catch (ApprovalRefused e) {
      if (e.reason() == ApprovalRefused.Code.UNKNOWN_VERSION) return notFound(request, e);
      HttpStatus status = PageErrors.status(e);
      String verb = approve ? "Not approved" : "Not rejected";
      return show(request, versionId, status, null, verb + ": " + e.getMessage(), justification);
    }
  }

  static String outcome(DecisionResult r) {
    if (r.state() == LifecycleState.DENIED) {
      return "Rejected: the model is denied and can never be activated. The reason is in the audit log and the approval record.";
    }
    if (r.state() == LifecycleState.APPROVED) {
      return "Approved (" + r.approvals() + " of " + r.requiredApprovals() + "): the model can now be activated by an operator.";
    }
    int missing = r.requiredApprovals() - r.approvals();
    return "Approved (" + r.approvals() + " of " + r.requiredApprovals() + "). "
        + (missing == 1 ? "A second DPO must approve" : missing + " more DPOs must approve") + " before it can be activated.";
  }

  private Object show(HttpRequest<?> request, String versionId, HttpStatus status, String notice, String error,
      String justification) {
    ReviewDetail d;
    try {
      Optional<ReviewDetail> found = reviews.latest(versionId);
      if (found.isEmpty()) {
        return pages.render(Page.of(request, "denied", "Not reviewed yet").with("message", "This model version has not"
            + " been reviewed yet. Imports are reviewed automatically; ask an administrator to import it again."), HttpStatus.NOT_FOUND);
      }
      d = found.get();
    } catch (ApprovalRefused e) {
      return notFound(request, e);
    }
    Page page = Page.of(request, "review", d.version().modelName() + " " + d.version().version())
        .with("m", model(d)).with("justification", justification);
    if (notice != null) page.notice(notice);
    if (error != null) page.error(error);
    return pages.render(page, status);
  }

  private Object notFound(HttpRequest<?> request, ApprovalRefused e) {
    return pages.render(Page.of(request, "denied", "No such model version").with("message", e.getMessage()), HttpStatus.NOT_FOUND);
  }

  /** The page model of one review: the API's JSON view plus what the template needs ready-made. */
  private Map<String, Object> model(ReviewDetail d) {
    Map<String, Object> m;
    long weightFiles;
    try {
      List<CatalogFile> files = vault.catalog().files(d.version().id());
      weightFiles = files.stream().filter(f -> f.path().endsWith(".gguf") || f.path().endsWith(".safetensors"))
          .mapToLong(CatalogFile::size).sum();
      m = tree(ReviewsApi.detail(d, files));
    } catch (IOException e) {
      throw new IllegalStateException("the stored review of " + d.version().id() + " is not JSON: " + e.getMessage(), e);
    } catch (SQLException e) {
      throw new IllegalStateException("the appliance database failed: " + e.getMessage(), e);
    }
    ModelVersion v = d.version();
    Verdict verdict = d.review().verdict();
    m.put("badge", badge(verdict));
    m.put("denied", verdict == Verdict.DENY);
    m.put("decidable", v.state() == LifecycleState.UNDER_REVIEW);
    m.put("reviewable", !v.state().isApproved() && v.state() != LifecycleState.RETIRED
        && v.state() != LifecycleState.REVOKED);
    m.put("external", v.external().map(x -> Map.of("endpoints", String.join(", ", x.endpoints()),
        "servedModelName", x.servedModelName(), "statement", dev.airlock.vault.catalog.ExternalServer.STATEMENT))
        .orElse(null));
    m.put("approvalsText", d.approvals() + " of " + d.review().requiredApprovals());
    m.put("importedAtText", when(v.provenance().importedAt()));
    m.put("importedBy", person(v.provenance().importer()));
    m.put("reviewedAtText", when(d.review().reviewedAt()));
    m.put("totalSize", size(v.totalBytes()));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> files = (List<Map<String, Object>>) m.get("files");
    for (Map<String, Object> f : files) f.put("sizeText", size(((Number) f.get("size")).longValue()));
    @SuppressWarnings("unchecked")
    Map<String, Object> review = (Map<String, Object>) m.get("review");
    @SuppressWarnings("unchecked")
    Map<String, Object> evaluation = (Map<String, Object>) review.get("evaluation");
    @SuppressWarnings("unchecked")
    Set<Object> deciding = new HashSet<>((List<Object>) evaluation.getOrDefault("deciding_rules", List.of()));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rules = (List<Map<String, Object>>) evaluation.getOrDefault("rules", List.of());
    for (Map<String, Object> rule : rules) {
      rule.put("deciding", deciding.contains(rule.get("id")));
      rule.put("badge", switch (String.valueOf(rule.get("outcome"))) {
        case "DENY" -> "deny";
        case "REVIEW" -> "review";
        case "ALLOW", "PASS" -> "allow";
        default -> "info";
      });
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> report = (Map<String, Object>) review.get("licenseReport");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> thresholds = (List<Map<String, Object>>) report.getOrDefault("thresholds", List.of());
    for (Map<String, Object> t : thresholds) {
      Object limit = t.get("limit");
      t.put("text", String.valueOf(t.get("metric")).replace('_', ' ') + " above "
          + (limit instanceof Number n ? String.format(Locale.ROOT, "%,d", n.longValue()) : String.valueOf(limit)));
    }
    m.put("decisionsView", d.decisions().stream().map(dec -> {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("decision", dec.kind() == dev.airlock.server.review.Decision.Kind.APPROVE ? "Approved" : "Rejected");
      x.put("badge", dec.kind() == dev.airlock.server.review.Decision.Kind.APPROVE ? "allow" : "deny");
      x.put("dpo", dec.dpo());
      x.put("when", when(dec.decidedAt()));
      x.put("justification", dec.justification());
      return x;
    }).toList());
    m.put("historyView", d.history().stream().map(e -> {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("from", e.from().map(Enum::name).orElse("(new)"));
      x.put("to", e.to().name());
      x.put("actor", person(e.actor()));
      x.put("reason", e.reason().orElse(""));
      x.put("when", when(e.at()));
      return x;
    }).toList());
    m.put("facts", d.metadata().map(f -> facts(f, hardware, weightFiles)).orElse(null));
    return m;
  }

  /** Metadata in words: what the vault learned at import, with a weights-only memory estimate. */
  /**
   * @param weightFiles the size of the version's weight files (GGUF, safetensors): what the weights
   *     take when the parameter count or precision is not stated
   */
  static Map<String, Object> facts(ModelFacts f, ApplianceHardware hardware, long weightFiles) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("format", f.weightFormat());
    out.put("architecture", f.architecture().or(f::modelType).orElse("not stated"));
    out.put("parameters", f.parameterCount().isPresent() ? count(f.parameterCount().getAsLong()) : "not stated");
    out.put("quantization", f.quantization().map(q -> q + (f.quantizationBits().isPresent()
        ? " (" + f.quantizationBits().getAsInt() + " bits)" : "")).orElse(f.declaredDtype().map(t -> "none (" + t + ")").orElse("not stated")));
    out.put("context", f.contextLength().isPresent() ? String.format(Locale.ROOT, "%,d tokens", f.contextLength().getAsInt()) : "not stated");
    Optional<Double> perWeight = f.quantizationBits().isPresent()
        ? Optional.of(f.quantizationBits().getAsInt() / 8.0) : MemoryEstimator.bytesPerParameter(f.declaredDtype(), Optional.empty());
    boolean counted = f.parameterCount().isPresent() && perWeight.isPresent();
    boolean known = counted || weightFiles > 0;
    long weights = counted ? MemoryEstimator.weightBytes(f.parameterCount().getAsLong(), perWeight.get()) : weightFiles;
    out.put("memory", known
        ? "about " + size(weights) + " for the weights" + (counted ? "" : " (the size of its weight files)")
            + ", plus the conversation cache (depends on context and load)"
        : "not known: the number of parameters or their precision is not stated");
    out.put("fit", known ? hardware.fit(weights) : List.of("not known: the memory the model needs is not known"));
    List<Map<String, String>> risks = new ArrayList<>();
    for (ModelFacts.Risk r : f.risks()) risks.add(Map.of("kind", r.kind(), "file", r.file(), "reason", r.reason()));
    if (f.hasPickleWeights() && risks.stream().noneMatch(r -> r.get("kind").contains("PICKLE"))) {
      risks.add(Map.of("kind", "PICKLE", "file", "(weights)", "reason", "weights are stored as Python pickles, which can run code when loaded"));
    }
    if (f.needsRemoteCode() && risks.stream().noneMatch(r -> r.get("kind").contains("REMOTE"))) {
      risks.add(Map.of("kind", "REMOTE_CODE", "file", "config.json", "reason", "the model asks to run its own Python code when loaded"));
    }
    out.put("risks", risks);
    return out;
  }

  private List<Map<String, Object>> recentlyDecided() {
    try {
      List<Map<String, Object>> out = new ArrayList<>();
      for (ModelVersion v : vault.catalog().list()) {
        if (!DECIDED.contains(v.state())) continue;
        List<LifecycleEvent> history = vault.catalog().history(v.id());
        if (history.isEmpty()) continue;
        LifecycleEvent last = history.getLast();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.id());
        m.put("model", v.modelName());
        m.put("version", v.version());
        m.put("state", v.state() == LifecycleState.APPROVED ? "approved" : "denied");
        m.put("badge", v.state() == LifecycleState.APPROVED ? "allow" : "deny");
        m.put("at", last.at());
        m.put("when", when(last.at()));
        m.put("by", person(last.actor()));
        out.add(m);
      }
      out.sort(Comparator.comparing((Map<String, Object> m) -> (Instant) m.get("at")).reversed());
      return out.size() > RECENT ? out.subList(0, RECENT) : out;
    } catch (SQLException e) {
      throw new IllegalStateException("the appliance database failed: " + e.getMessage(), e);
    }
  }

  private String appliance() {
    if (!applianceName.isBlank()) return applianceName;
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "this Airlock appliance";
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> tree(Map<String, Object> view) {
    return JSON.convertValue(view, LinkedHashMap.class);
  }

  static String badge(Verdict v) {
    return v.name().toLowerCase(Locale.ROOT);
  }

  /** "user:ivy" as "ivy"; system actors as they are. */
  static String person(String actor) {
    return actor.startsWith("user:") ? actor.substring(5) : actor;
  }

  static String when(Instant at) {
    return WHEN.format(at);
  }

  static String size(long bytes) {
    return Vault.humanBytes(bytes);
  }

  static String count(long n) {
    if (n >= 1_000_000_000L) return String.format(Locale.ROOT, "%.1f billion", n / 1e9);
    if (n >= 1_000_000L) return String.format(Locale.ROOT, "%.1f million", n / 1e6);
    return String.format(Locale.ROOT, "%,d", n);
  }
}
