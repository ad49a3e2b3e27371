package dev.airlock.server.api;

import dev.airlock.server.vocabulary.Problems;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Principal;
import dev.airlock.server.auth.Role;
import dev.airlock.server.review.ApprovalRecord;
import dev.airlock.server.review.Decision;
import dev.airlock.server.review.DecisionResult;
import dev.airlock.server.review.ModelReviews;
import dev.airlock.server.review.QueueEntry;
import dev.airlock.server.review.Review;
import dev.airlock.server.review.ReviewDetail;
import dev.airlock.server.review.Suspensions;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.CatalogFile;
import dev.airlock.vault.catalog.LifecycleEvent;
import dev.airlock.vault.catalog.ModelFacts;
import dev.airlock.vault.catalog.ModelVersion;
import dev.airlock.vault.catalog.Provenance;
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
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Model review for DPOs over JSON: the queue of versions waiting for a decision, everything a
 * review states, approve and reject with a justification, and the printable approval record
 * (DPO or ADMIN). Only a person decides: the DPO is the signed-in console user.
 */
@Controller("/admin/reviews")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.DPO)
public class ReviewsApi {
  private final ModelReviews reviews;
  private final Vault vault;
  private final Suspensions suspensions;

  public ReviewsApi(ModelReviews reviews, Vault vault, Suspensions suspensions) {
    this.reviews = reviews;
    this.vault = vault;
    this.suspensions = suspensions;
  }

  record RegressionDecision(String decision, String justification) {}

  record Justification(String justification) {}

  @Get
  public MutableHttpResponse<?> queue() {
    return Api.run(HttpStatus.OK, () -> Map.of("data", reviews.queue().stream().map(ReviewsApi::entry).toList(),
        "pendingRegressions", suspensions.pendingRegressions().stream().map(ReviewsApi::regression).toList()));
  }

  @Get("/{versionId}")
  public MutableHttpResponse<?> detail(@PathVariable String versionId) {
    return Api.run(HttpStatus.OK, () -> {
      ReviewDetail d = reviews.latest(versionId).orElseThrow(() -> new NoSuchElementException(
          "model version " + versionId + " has not been reviewed yet; imports are reviewed by POST /admin/bundles"));
      return detail(d, files(versionId));
    });
  }

  @Post(uri = "/{versionId}/approve", consumes = MediaType.ALL)
  public MutableHttpResponse<?> approve(HttpRequest<?> request, @PathVariable String versionId, @Nullable @Body byte[] body) {
    return decide(request, body, (dpo, why) -> reviews.approve(versionId, dpo, why));
  }

  @Post(uri = "/{versionId}/reject", consumes = MediaType.ALL)
  public MutableHttpResponse<?> reject(HttpRequest<?> request, @PathVariable String versionId, @Nullable @Body byte[] body) {
    return decide(request, body, (dpo, why) -> reviews.reject(versionId, dpo, why));
  }

  /**
   * Reviews the version again under the active policy (a new review, with no approvals yet): for
   * one that is IMPORTED, DENIED, UNDER_REVIEW or SUSPENDED. A person asks; the verdict is the
   * policy's and the decision stays the DPOs'.
   */
  @Post(uri = "/{versionId}/review", consumes = MediaType.ALL)
  @Allowed({Role.DPO, Role.ADMIN})
  public MutableHttpResponse<?> review(HttpRequest<?> request, @PathVariable String versionId) {
    return Api.run(HttpStatus.OK, () -> {
      Review r = reviews.review(versionId, Access.person(request));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("versionId", versionId);
      out.put("reviewId", r.id());
      out.put("reviewNumber", r.number());
      out.put("verdict", r.verdict().name());
      out.put("policy", r.policyName());
      out.put("policyVersion", r.policyVersion());
      out.put("requiredApprovals", r.requiredApprovals());
      out.put("state", r.verdict() == dev.airlock.policy.Verdict.DENY ? "DENIED" : "UNDER_REVIEW");
      return out;
    });
  }

  /**
   * A DPO's decision on a model a policy or profile change judged worse and kept in service
   * (its policy says {@code keep-pending-decision}): {@code {"decision": "keep" or "suspend",
   * "justification": "..."}}.
   */
  @Post(uri = "/{versionId}/regression", consumes = MediaType.ALL)
  public MutableHttpResponse<?> regression(HttpRequest<?> request, @PathVariable String versionId,
                                           @Nullable @Body byte[] body) {
    return Api.run(HttpStatus.OK, () -> {
      String dpo = Access.person(request);
      RegressionDecision d = Problems.read(body, RegressionDecision.class);
      boolean keep = switch (d.decision() == null ? "" : d.decision()) {
        case "keep" -> true;
        case "suspend" -> false;
        default -> throw new IllegalArgumentException("decision is 'keep' (it stays served) or 'suspend' (it stops"
            + " and goes back to the queue); found '" + d.decision() + "'");
      };
      suspensions.decide(versionId, dpo, keep, d.justification());
      try {
        return Map.of("versionId", versionId, "decision", d.decision(),
            "state", vault.catalog().find(versionId).orElseThrow().state().name());
      } catch (SQLException e) {
        throw new IllegalStateException("the appliance database failed: " + e.getMessage(), e);
      }
    });
  }

  @Get("/{versionId}/record")
  @Allowed(value = {Role.DPO, Role.ADMIN}, operatorToken = true)
  public MutableHttpResponse<?> record(@PathVariable String versionId) {
    return Api.run(HttpStatus.OK, () -> record(reviews.approvalRecord(versionId)));
  }

  private interface Decide {
    DecisionResult run(String dpo, String justification);
  }

  private MutableHttpResponse<?> decide(HttpRequest<?> request, byte[] body, Decide decide) {
    Principal p = Access.require(request);
    if (!p.isUser()) {
      return Problems.write(HttpStatus.FORBIDDEN, "Only a person decides on a model: sign in as a DPO"
          + " (POST /admin/session) and send the session token; the operator token cannot approve or reject.",
          "console_user_required");
    }
    return Api.run(HttpStatus.OK, () -> {
      Justification j = body == null || body.length == 0 ? new Justification(null)
          : Problems.read(body, Justification.class);
      DecisionResult r = decide.run(p.username(), j.justification());
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("decision", r.decision().kind().name());
      out.put("approvals", r.approvals());
      out.put("requiredApprovals", r.requiredApprovals());
      out.put("state", r.state().name());
      out.put("decidedAt", r.decision().decidedAt().toString());
      out.put("dpo", r.decision().dpo());
      return out;
    });
  }


  private List<CatalogFile> files(String versionId) {
    try {
      return vault.catalog().files(versionId);
    } catch (SQLException e) {
      throw new IllegalStateException("the appliance database failed: " + e.getMessage(), e);
    }
  }

  // ---- JSON views ----

  static Map<String, Object> regression(Suspensions.PendingRegression r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("versionId", r.version().id());
    out.put("model", r.version().modelName());
    out.put("version", r.version().version());
    out.put("state", r.version().state().name());
    out.put("reason", r.reason());
    out.put("raisedBy", r.raisedBy());
    out.put("raisedAt", r.raisedAt().toString());
    return out;
  }

  static Map<String, Object> entry(QueueEntry q) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("versionId", q.version().id());
    out.put("model", q.version().modelName());
    out.put("version", q.version().version());
    out.put("kind", q.version().isExternal() ? "external" : "bundle");
    out.put("state", q.version().state().name());
    out.put("verdict", q.verdict().name());
    out.put("policy", q.policyName());
    out.put("policyVersion", q.policyVersion());
    out.put("approvals", q.approvals());
    out.put("requiredApprovals", q.requiredApprovals());
    out.put("importedBy", q.version().provenance().importer());
    out.put("importedAt", q.version().provenance().importedAt().toString());
    out.put("reviewedAt", q.reviewedAt().toString());
    return out;
  }

  /** Everything the console's model page shows, as JSON (the stored reports as they were stored). */
  public static Map<String, Object> detail(ReviewDetail d, List<CatalogFile> files) throws IOException {
    ModelVersion v = d.version();
    Review r = d.review();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("versionId", v.id());
    out.put("model", v.modelName());
    out.put("version", v.version());
    out.put("state", v.state().name());
    out.put("kind", v.isExternal() ? "external" : "bundle");
    v.external().ifPresent(x -> out.put("externalServer", external(x)));
    out.put("totalBytes", v.totalBytes());
    v.flag().ifPresent(f -> out.put("flag", Map.of("at", f.at().toString(), "reason", f.reason())));
    out.put("provenance", provenance(v.provenance()));
    out.put("files", files(files));
    out.put("metadata", d.metadata().map(ReviewsApi::metadata).orElse(null));
    Map<String, Object> review = new LinkedHashMap<>();
    review.put("id", r.id());
    review.put("number", r.number());
    review.put("verdict", r.verdict().name());
    review.put("policy", r.policyName());
    review.put("policyVersion", r.policyVersion());
    review.put("requiredApprovals", r.requiredApprovals());
    review.put("notes", r.notes());
    review.put("reviewedBy", r.reviewedBy());
    review.put("reviewedAt", r.reviewedAt().toString());
    review.put("orgProfileVersion", r.orgProfileVersion().orElse(null));
    review.put("licenseReport", tree(r.licenseReportJson()));
    review.put("evaluation", tree(r.evaluationJson()));
    out.put("review", review);
    out.put("approvals", d.approvals());
    out.put("requiredApprovals", r.requiredApprovals());
    out.put("decisions", d.decisions().stream().map(ReviewsApi::decision).toList());
    out.put("history", d.history().stream().map(ReviewsApi::event).toList());
    return out;
  }

  /** The approval record as JSON: what the printable DPIA record states. */
  public static Map<String, Object> record(ApprovalRecord a) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("versionId", a.versionId());
    out.put("model", a.modelName());
    out.put("version", a.version());
    out.put("provenance", provenance(a.provenance()));
    out.put("totalBytes", a.totalBytes());
    out.put("files", files(a.files()));
    out.put("reviewId", a.reviewId());
    out.put("verdict", a.verdict().name());
    out.put("policy", a.policyName());
    out.put("policyVersion", a.policyVersion());
    out.put("reviewedAt", a.reviewedAt().toString());
    out.put("requiredApprovals", a.requiredApprovals());
    List<Map<String, Object>> obligations = new ArrayList<>();
    for (ApprovalRecord.Obligation o : a.obligations()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("license", o.licenseId());
      m.put("obligation", o.text());
      m.put("evidence", o.evidence());
      obligations.add(m);
    }
    out.put("obligations", obligations);
    out.put("decisions", a.decisions().stream().map(ReviewsApi::decision).toList());
    out.put("state", a.state().name());
    out.put("stateSince", a.stateSince().toString());
    out.put("orgProfileVersion", a.orgProfileVersion().orElse(null));
    out.put("kind", a.external().isPresent() ? "external" : "bundle");
    a.external().ifPresent(x -> out.put("externalServer", external(x)));
    return out;
  }

  /** A registered external server as every view shows it: where it answers, and that its weights are not here. */
  static Map<String, Object> external(dev.airlock.vault.catalog.ExternalServer x) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("servedModelName", x.servedModelName());
    out.put("endpoints", x.endpoints());
    out.put("statement", dev.airlock.vault.catalog.ExternalServer.STATEMENT);
    return out;
  }

  static Map<String, Object> provenance(Provenance p) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("publisher", p.publisher());
    out.put("originCountry", p.originCountry());
    out.put("source", p.source().orElse(null));
    out.put("bundleId", p.bundleId());
    out.put("manifestSha256", p.manifestSha256());
    out.put("bundleCreatedAt", p.bundleCreatedAt().toString());
    Map<String, Object> transfer = new LinkedHashMap<>();
    transfer.put("signer", p.transferSignerName());
    transfer.put("fingerprint", p.transferSignerFingerprint());
    out.put("transferSignature", transfer);
    Map<String, Object> publisher = new LinkedHashMap<>();
    publisher.put("status", p.publisherSignature().status().name());
    publisher.put("signer", p.publisherSignature().signerName().orElse(null));
    publisher.put("fingerprint", p.publisherSignature().signerFingerprint().orElse(null));
    publisher.put("detail", p.publisherSignature().detail());
    out.put("publisherSignature", publisher);
    out.put("importedAt", p.importedAt().toString());
    out.put("importer", p.importer());
    return out;
  }

  static List<Map<String, Object>> files(List<CatalogFile> files) {
    return files.stream().map(f -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("path", f.path());
      m.put("size", f.size());
      m.put("sha256", f.sha256().hex());
      return m;
    }).toList();
  }

  static Map<String, Object> metadata(ModelFacts f) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("weightFormat", f.weightFormat());
    out.put("architecture", f.architecture().orElse(null));
    out.put("modelType", f.modelType().orElse(null));
    out.put("parameterCount", f.parameterCount().isPresent() ? f.parameterCount().getAsLong() : null);
    out.put("declaredDtype", f.declaredDtype().orElse(null));
    out.put("quantization", f.quantization().orElse(null));
    out.put("quantizationBits", f.quantizationBits().isPresent() ? f.quantizationBits().getAsInt() : null);
    out.put("contextLength", f.contextLength().isPresent() ? f.contextLength().getAsInt() : null);
    out.put("needsRemoteCode", f.needsRemoteCode());
    out.put("hasPickleWeights", f.hasPickleWeights());
    out.put("risks", f.risks().stream().map(k -> Map.of("kind", k.kind(), "file", k.file(), "reason", k.reason())).toList());
    return out;
  }

  static Map<String, Object> decision(Decision d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", d.id());
    out.put("reviewId", d.reviewId());
    out.put("decision", d.kind().name());
    out.put("dpo", d.dpo());
    out.put("justification", d.justification());
    out.put("decidedAt", d.decidedAt().toString());
    return out;
  }

  static Map<String, Object> event(LifecycleEvent e) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("from", e.from().map(Enum::name).orElse(null));
    out.put("to", e.to().name());
    out.put("actor", e.actor());
    out.put("reason", e.reason().orElse(null));
    out.put("at", e.at().toString());
    return out;
  }

  private static JsonNode tree(String json) throws IOException {
    return Api.JSON.readTree(json);
  }
}
