package dev.airlock.server.review;

import dev.airlock.server.vocabulary.AdminRecords;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditRecord;
import dev.airlock.license.LicenseReportJson;
import dev.airlock.policy.Evaluation;
import dev.airlock.policy.EvaluationJson;
import dev.airlock.policy.ModelFacts;
import dev.airlock.policy.OrgProfile;
import dev.airlock.policy.OrgProfileStore;
import dev.airlock.policy.PolicyEngine;
import dev.airlock.policy.PolicyFacts;
import dev.airlock.policy.PolicyFile;
import dev.airlock.policy.PolicyStore;
import dev.airlock.policy.Verdict;
import dev.airlock.server.vocabulary.Sql;
import dev.airlock.vault.Vault;
import dev.airlock.vault.bundle.BundlePaths;
import dev.airlock.vault.catalog.CatalogFile;
import dev.airlock.vault.catalog.LifecycleEvent;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import dev.airlock.vault.metadata.HardwareProfile;
import dev.airlock.vault.store.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * Reviews and DPO decisions on the model versions in the vault. A review runs the license audit on
 * the version's stored files, judges the facts with the active policy and moves the version from
 * IMPORTED (or a previous review) to UNDER_REVIEW, or to DENIED on a DENY verdict. DPOs then
 * approve or reject with a justification: as many different DPOs as the policy asks must approve
 * before the version becomes APPROVED; one rejection makes it DENIED.
 *
 * <p>Every review and decision is appended to the audit log inside its database transaction,
 * before the commit: when the audit log cannot record it, nothing is stored and nothing moves.
 * Who is a DPO is not checked here: the caller (the console) decides that and passes the username.
 */
public final class ModelReviews {
  /** A justification shorter than this cannot say why; the DPIA record needs a reason a reader can check. */
  public static final int MIN_JUSTIFICATION_CHARS = 10;
  /** A justification is a paragraph, not a document (the column holds this much). */
  public static final int MAX_JUSTIFICATION_CHARS = 8192;
  /** Activated on the first review when no policy is active: the shipped default for companies. */
  public static final String DEFAULT_PACK = "enterprise-default";
  /** Each stored report is at most this long (the column's size, the same on H2 and PostgreSQL). */
  static final int MAX_REPORT_CHARS = 1_048_576;

  /** The states a review may start from: a new import, a version judged before, or one suspended. */
  private static final Set<LifecycleState> REVIEWABLE =
      Set.of(LifecycleState.IMPORTED, LifecycleState.UNDER_REVIEW, LifecycleState.DENIED, LifecycleState.SUSPENDED);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REVIEW_COLUMNS = "id, version_id, review_number, verdict, policy_name,"
      + " policy_version, required_approvals, notes, reviewed_by, reviewed_at, license_report, evaluation,"
      + " org_profile_version";
  private static final String DECISION_COLUMNS =
      "id, review_id, version_id, decision, dpo, justification, decided_at";

  private final Vault vault;
  private final AuditLog audit;
  private final DataSource db;
  private final PolicyStore policies;
  private final Clock clock;

  /** {@code db} is the database the vault's catalog and the policy store live in. */
  public ModelReviews(Vault vault, AuditLog audit, DataSource db, Clock clock) {
    this.vault = vault;
    this.audit = audit;
    this.db = db;
    this.policies = new PolicyStore(db, clock);
    this.clock = clock;
  }

  // ---- reviews ----

  /** Reviews a version on behalf of a person (a re-review asked for in the console). */
  public Review review(String versionId, String username) {
    return review(versionId, Actor.user(requireName(username, "username")));
  }

  /**
   * Runs the license audit on the version's stored files, evaluates the active policy (activating
   * the shipped {@value #DEFAULT_PACK} pack if none is, and saying so in the notes), stores the
   * review and moves the version: UNDER_REVIEW on ALLOW or REVIEW, DENIED on DENY. A re-review
   * (after a policy change) keeps the earlier reviews; the new one starts with no approvals.
   *
   * @throws ApprovalRefused {@code unknown_version}, or {@code not_reviewable} when the version is
   *     past review (approved, active, retired, revoked)
   */
  public Review review(String versionId, Actor actor) {
    ModelVersion v = version(versionId);
    if (!REVIEWABLE.contains(v.state())) {
      throw new ApprovalRefused(ApprovalRefused.Code.NOT_REVIEWABLE, name(v) + " is " + v.state()
          + "; only a version that is IMPORTED, UNDER_REVIEW, DENIED or SUSPENDED is reviewed. An approved"
          + " model keeps the review it was approved on: retire it and import a new version to"
          + " judge it again.");
    }
    List<String> notes = new ArrayList<>();
    PolicyStore.StoredPolicy policy = activePolicy(actor, notes);
    ModelFacts.Scan scan = scan(vault, v);
    Optional<OrgProfileStore.Active> profile = activeProfile();
    Evaluation evaluation = PolicyEngine.evaluate(policy.policy(), scan.facts(),
        profile.map(p -> p.profile().profile()).orElse(OrgProfile.unknown()));
    notes.add(profile.map(p -> "Judged with organization profile version " + p.profile().version() + " (proposed by "
        + p.proposedBy() + ", confirmed by " + p.confirmedBy() + ").")
        .orElse("Judged without an organization profile: rules about user numbers, commercial or EU"
            + " multimodal use ask for review where the license has such terms. An ADMIN proposes the profile"
            + " and a DPO confirms it."));
    String report = bounded(LicenseReportJson.write(scan.report()), "license report", v);
    String trace = bounded(EvaluationJson.write(evaluation, scan.facts()), "policy evaluation", v);
    LifecycleState target = evaluation.verdict() == Verdict.DENY ? LifecycleState.DENIED : LifecycleState.UNDER_REVIEW;
    Instant now = now();
    String id = UUID.randomUUID().toString();
    AtomicReference<Review> stored = new AtomicReference<>();
    Sql.inTransaction(db, c -> {
      int number;
      try (PreparedStatement s = c.prepareStatement(
          "SELECT COALESCE(MAX(review_number), 0) + 1 FROM model_review WHERE version_id = ?")) {
        s.setString(1, versionId);
        try (ResultSet r = s.executeQuery()) {
          r.next();
          number = r.getInt(1);
        }
      }
      Review review = new Review(id, versionId, number, evaluation.verdict(), policy.name(),
          policy.version(), evaluation.requiredApprovals(), notes, actorName(actor), now, report, trace,
          profile.map(p -> p.profile().version()));
      insert(c, review);
      Optional<LifecycleEvent> moved = v.state() == target ? Optional.empty()
          : Optional.of(vault.catalog().transition(c, versionId, target, actorName(actor),
              Optional.of(evaluation.verdict() + " by policy " + policy.name() + " version " + policy.version())));
      Map<String, Object> details = base(v, review.id());
      details.put("reviewNumber", number);
      details.put("verdict", evaluation.verdict().name());
      details.put("policy", policy.name());
      details.put("policyVersion", policy.version());
      details.put("requiredApprovals", evaluation.requiredApprovals());
      details.put("orgProfileVersion", profile.map(p -> p.profile().version()).orElse(null));
      details.put("decidingRules", evaluation.decidingRules());
      details.put("state", target.name());
      moved.ifPresent(e -> details.put("lifecycle", lifecycle(e)));
      details.put("notes", notes);
      audit.append(record("model.reviewed", actor, v, details,
          List.of("versionId", "reviewId", "verdict", "policy", "state")));
      stored.set(review);
    });
    return stored.get();
  }

  /** The version's current review with what a review page shows, if it was ever reviewed. */
  public Optional<ReviewDetail> latest(String versionId) {
    ModelVersion v = version(versionId);
    Optional<Review> review = latestReview(versionId);
    if (review.isEmpty()) return Optional.empty();
    List<Decision> decisions = decisionsOn(review.get().id());
    try {
      return Optional.of(new ReviewDetail(v, vault.catalog().facts(versionId), review.get(), decisions,
          approvals(decisions), vault.catalog().history(versionId)));
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  /** Every review of the version, oldest first. */
  public List<Review> reviews(String versionId) {
    return Sql.query(db, "SELECT " + REVIEW_COLUMNS + " FROM model_review WHERE version_id = ? ORDER BY review_number",
        s -> s.setString(1, versionId), r -> {
          List<Review> out = new ArrayList<>();
          while (r.next()) out.add(readReview(r));
          return out;
        });
  }

  /** The versions waiting for DPOs (UNDER_REVIEW), oldest review first. */
  public List<QueueEntry> queue() {
    List<ModelVersion> waiting;
    try {
      waiting = vault.catalog().list().stream().filter(v -> v.state() == LifecycleState.UNDER_REVIEW).toList();
    } catch (SQLException e) {
      throw failed(e);
    }
    List<QueueEntry> out = new ArrayList<>();
    for (ModelVersion v : waiting) {
      latestReview(v.id()).ifPresent(r -> out.add(new QueueEntry(v, r.id(), r.verdict(), r.policyName(),
          r.policyVersion(), approvals(decisionsOn(r.id())), r.requiredApprovals(), r.reviewedAt())));
    }
    out.sort(java.util.Comparator.comparing(QueueEntry::reviewedAt));
    return out;
  }

  // ---- decisions ----

  /**
   * Records a DPO's approval of the version's current review; when as many different DPOs as the
   * review requires have approved, the version becomes APPROVED.
   *
   * @throws ApprovalRefused when a rule forbids it (see {@link ApprovalRefused.Code})
   */
  public DecisionResult approve(String versionId, String dpoUsername, String justification) {
    return decide(versionId, dpoUsername, justification, Decision.Kind.APPROVE);
  }

  /** Records a DPO's rejection: the version becomes DENIED at once. */
  public DecisionResult reject(String versionId, String dpoUsername, String justification) {
    return decide(versionId, dpoUsername, justification, Decision.Kind.REJECT);
  }

  /** Every decision on the version, over all its reviews, oldest first. */
  public List<Decision> decisions(String versionId) {
    return Sql.query(db, "SELECT " + DECISION_COLUMNS + " FROM model_decision WHERE version_id = ?"
            + " ORDER BY decided_at, id",
        s -> s.setString(1, versionId), ModelReviews::readDecisions);
  }

  /** What a printable DPIA approval record states about the version. */
  public ApprovalRecord approvalRecord(String versionId) {
    ModelVersion v = version(versionId);
    Review r = latestReview(versionId).orElseThrow(() -> notReviewed(v));
    try {
      List<LifecycleEvent> history = vault.catalog().history(versionId);
      Instant since = history.isEmpty() ? v.provenance().importedAt() : history.getLast().at();
      return new ApprovalRecord(v.id(), v.modelName(), v.version(), v.provenance(), v.totalBytes(),
          vault.catalog().files(versionId), r.id(), r.verdict(), r.policyName(), r.policyVersion(),
          r.reviewedAt(), r.requiredApprovals(), obligations(r), decisions(versionId), v.state(), since, r.orgProfileVersion(), v.external());
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  private DecisionResult decide(String versionId, String dpoUsername, String justification, Decision.Kind kind) {
    String dpo = requireName(dpoUsername, "DPO username");
    String why = requireJustification(justification);
    ModelVersion v = version(versionId);
    Review review = latestReview(versionId).orElseThrow(() -> notReviewed(v));
    if (kind == Decision.Kind.APPROVE && review.verdict() == Verdict.DENY) {
      throw new ApprovalRefused(ApprovalRefused.Code.DENIED_BY_POLICY, name(v) + " was denied by policy "
          + review.policyName() + " version " + review.policyVersion() + "; a DENY verdict can never be"
          + " approved. Read the deciding rules' how-to-fix, or review it again after a policy change.");
    }
    if (v.state() != LifecycleState.UNDER_REVIEW) {
      throw new ApprovalRefused(ApprovalRefused.Code.NOT_UNDER_REVIEW, name(v) + " is " + v.state()
          + "; only a version UNDER_REVIEW can be approved or rejected.");
    }
    if (kind == Decision.Kind.APPROVE && importedBy(v, dpo)) {
      throw new ApprovalRefused(ApprovalRefused.Code.IMPORTER_CANNOT_APPROVE, dpo + " imported " + name(v)
          + " and so cannot approve it: another DPO must.");
    }
    Instant now = now();
    Decision decision = new Decision(UUID.randomUUID().toString(), review.id(), versionId, kind, dpo, why, now);
    AtomicReference<DecisionResult> result = new AtomicReference<>();
    Sql.inTransaction(db, c -> {
      // Decisions on one review are taken one at a time, so two approvals cannot both miss the count.
      int current;
      try (PreparedStatement s = c.prepareStatement(
          "SELECT review_number FROM model_review WHERE version_id = ? ORDER BY review_number DESC LIMIT 1 FOR UPDATE")) {
        s.setString(1, versionId);
        try (ResultSet r = s.executeQuery()) {
          r.next();
          current = r.getInt(1);
        }
      }
      if (current != review.number()) {
        throw new ApprovalRefused(ApprovalRefused.Code.NOT_UNDER_REVIEW, name(v) + " was reviewed again while"
            + " this decision was made; read the new review and decide again.");
      }
      List<Decision> before = decisionsOn(c, review.id());
      Optional<Decision> own = before.stream().filter(d -> d.dpo().equalsIgnoreCase(dpo)).findFirst();
      if (own.isPresent()) {
        throw new ApprovalRefused(ApprovalRefused.Code.ALREADY_APPROVED, dpo + " already approved " + name(v)
            + " on " + own.get().decidedAt() + "; "
            + (kind == Decision.Kind.APPROVE ? "a further approval must come from a different DPO."
                : "a rejection must come from a different DPO."));
      }
      insert(c, decision);
      List<Decision> after = new ArrayList<>(before);
      after.add(decision);
      int approvals = approvals(after);
      LifecycleState target = kind == Decision.Kind.REJECT ? LifecycleState.DENIED
          : approvals >= review.requiredApprovals() ? LifecycleState.APPROVED : LifecycleState.UNDER_REVIEW;
      Optional<LifecycleEvent> moved = target == LifecycleState.UNDER_REVIEW ? Optional.empty()
          : Optional.of(vault.catalog().transition(c, versionId, target, dpo, Optional.of(
              (kind == Decision.Kind.REJECT ? "rejected by " : "approved by ") + String.join(", ", approvers(after, kind, dpo)))));
      String type = kind == Decision.Kind.REJECT ? "model.rejected"
          : target == LifecycleState.APPROVED ? "model.approved" : "model.approval_recorded";
      Map<String, Object> details = base(v, review.id());
      details.put("decisionId", decision.id());
      details.put("decision", kind.name());
      details.put("justification", why);
      details.put("approvals", approvals);
      details.put("requiredApprovals", review.requiredApprovals());
      details.put("verdict", review.verdict().name());
      details.put("policy", review.policyName());
      details.put("policyVersion", review.policyVersion());
      details.put("state", target.name());
      moved.ifPresent(e -> details.put("lifecycle", lifecycle(e)));
      // The justification stays in the encrypted payload only: it is free text about people's work.
      audit.append(record(type, Actor.user(dpo), v, details, List.of("versionId", "reviewId", "decision", "state")));
      result.set(new DecisionResult(decision, approvals, review.requiredApprovals(), target));
    });
    return result.get();
  }

  /** Microseconds: what both databases keep, so a stored time reads back equal. */
  private Instant now() {
    return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
  }

  private static List<String> approvers(List<Decision> decisions, Decision.Kind kind, String dpo) {
    if (kind == Decision.Kind.REJECT) return List.of(dpo);
    return decisions.stream().filter(d -> d.kind() == Decision.Kind.APPROVE).map(Decision::dpo).distinct().toList();
  }

  private static int approvals(List<Decision> decisions) {
    return (int) decisions.stream().filter(d -> d.kind() == Decision.Kind.APPROVE)
        .map(d -> d.dpo().toLowerCase(java.util.Locale.ROOT)).distinct().count();
  }

  // ---- facts ----

  /**
   * The version's model files as its publisher laid them out, hard-linked from the blob store into
   * a private staging directory (no bytes copied), scanned as the CLI scans a verified bundle.
   */
  public static ModelFacts.Scan scan(Vault vault, ModelVersion v) {
    try (BlobStore.Staging staging = vault.blobs().newStaging()) {
      Path modelDir = Files.createDirectories(staging.dir().resolve("tree"));
      boolean sbom = false;
      for (CatalogFile f : vault.catalog().files(v.id())) {
        if (f.path().startsWith(BundlePaths.SBOM_DIR)) sbom = true;
        if (!f.path().startsWith(BundlePaths.MODEL_DIR)) continue;
        Path blob = vault.blobs().pathOf(f.sha256());
        if (!Files.isRegularFile(blob)) {
          throw new IllegalStateException("the vault has lost " + f.path() + " of " + name(v) + " (blob "
              + f.sha256().hex() + "); run 'airlock vault verify' and import the bundle again");
        }
        Path link = modelDir.resolve(f.path().substring(BundlePaths.MODEL_DIR.length()));
        Files.createDirectories(link.getParent());
        Files.createLink(link, blob);
      }
      if (v.isExternal()) {
        // What was stated at registration, and no more: no bundle, no transfer signature, no weights here.
        PolicyFacts.Subject subject = new PolicyFacts.Subject(name(v) + " (registered external server at "
            + String.join(", ", v.external().get().endpoints()) + ")", PolicyFacts.SubjectKind.BUNDLE);
        PolicyFacts.Origin origin = new PolicyFacts.Origin(Optional.of(v.provenance().publisher()),
            Optional.of(v.provenance().originCountry()), "stated at registration by " + v.provenance().importer()
            + ": publisher " + v.provenance().publisher() + ", origin " + v.provenance().originCountry());
        return ModelFacts.ofVerifiedModel(modelDir, subject, origin, new PolicyFacts.Provenance(
            PolicyFacts.TransferState.NO_BUNDLE, "a registered external server: no bundle, and Airlock does not hold"
                + " its weights", Optional.empty(), sbom), HardwareProfile.none());
      }
      PolicyFacts.Subject subject = new PolicyFacts.Subject(name(v) + " (vault, bundle "
          + v.provenance().bundleId() + ")", PolicyFacts.SubjectKind.BUNDLE);
      return ModelFacts.ofVerifiedModel(modelDir, subject,
          ModelFacts.manifestOrigin(v.provenance().publisher(), v.provenance().originCountry()),
          ModelFacts.provenance(v.provenance(), sbom), HardwareProfile.none());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the files of " + name(v) + " in the vault: " + e.getMessage()
          + "; check the data directory, then review again", e);
    } catch (SQLException e) {
      throw new IllegalStateException("the vault catalog cannot be read: " + e.getMessage(), e);
    }
  }

  private Optional<OrgProfileStore.Active> activeProfile() {
    try (Connection c = db.getConnection()) {
      return OrgProfileStore.active(c);
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  private PolicyStore.StoredPolicy activePolicy(Actor actor, List<String> notes) {
    try {
      Optional<PolicyStore.StoredPolicy> active = policies.active();
      if (active.isPresent()) return active.get();
      // The pack's save, its activation and the record commit together.
      AtomicReference<PolicyStore.StoredPolicy> done = new AtomicReference<>();
      Sql.inTransaction(db, c -> {
        PolicyStore.StoredPolicy s = policies.save(c, PolicyFile.pack(DEFAULT_PACK), actorName(actor));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("policy", s.name());
        details.put("policyVersion", s.version());
        details.put("reason", "no policy was active when a model was reviewed");
        policies.activate(c, s.name(), s.version(), actorName(actor));
        audit.append(record("policy.activated", actor, null, details, List.of("policy", "policyVersion")));
        done.set(s);
      });
      PolicyStore.StoredPolicy saved = done.get();
      notes.add("No policy was active, so the shipped pack '" + DEFAULT_PACK + "' (version "
          + saved.version() + ") was activated for this review. Activate the organization's own"
          + " policy and review again if it should judge instead.");
      return saved;
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  private static List<ApprovalRecord.Obligation> obligations(Review r) {
    try {
      List<ApprovalRecord.Obligation> out = new ArrayList<>();
      for (JsonNode o : JSON.readTree(r.evaluationJson()).path("obligations")) {
        out.add(new ApprovalRecord.Obligation(o.path("license").asText(), o.path("obligation").asText(),
            o.path("evidence").asText()));
      }
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored evaluation of review " + r.id() + " is not JSON: " + e.getMessage(), e);
    }
  }

  // ---- storage ----

  private ModelVersion version(String versionId) {
    if (versionId == null || versionId.isBlank()) {
      throw new ApprovalRefused(ApprovalRefused.Code.UNKNOWN_VERSION, "no model version id given");
    }
    try {
      return vault.catalog().find(versionId).orElseThrow(() -> new ApprovalRefused(
          ApprovalRefused.Code.UNKNOWN_VERSION, "no model version with id " + versionId
              + " in the vault; list them with 'airlock vault list'"));
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  /** The current review's id, policy and policy version, without its reports: what a receipt names. */
  public Optional<ReviewRef> currentReviewRef(String versionId) {
    return Sql.query(db, "SELECT id, policy_name, policy_version FROM model_review WHERE version_id = ?"
            + " ORDER BY review_number DESC LIMIT 1", s -> s.setString(1, versionId),
        r -> r.next() ? Optional.of(new ReviewRef(r.getString(1), r.getString(2), r.getInt(3))) : Optional.empty());
  }

  /** A review by its id, policy and policy version. */
  public record ReviewRef(String id, String policy, int policyVersion) {}

  private Optional<Review> latestReview(String versionId) {
    return Sql.query(db, "SELECT " + REVIEW_COLUMNS + " FROM model_review WHERE version_id = ?"
            + " ORDER BY review_number DESC LIMIT 1",
        s -> s.setString(1, versionId), r -> r.next() ? Optional.of(readReview(r)) : Optional.empty());
  }

  private List<Decision> decisionsOn(String reviewId) {
    return Sql.query(db, "SELECT " + DECISION_COLUMNS + " FROM model_decision WHERE review_id = ? ORDER BY decided_at, id",
        s -> s.setString(1, reviewId), ModelReviews::readDecisions);
  }

  private static List<Decision> decisionsOn(Connection c, String reviewId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "SELECT " + DECISION_COLUMNS + " FROM model_decision WHERE review_id = ? ORDER BY decided_at, id")) {
      s.setString(1, reviewId);
      try (ResultSet r = s.executeQuery()) {
        return readDecisions(r);
      }
    }
  }

  private static void insert(Connection c, Review r) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO model_review (" + REVIEW_COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, r.id());
      s.setString(2, r.versionId());
      s.setInt(3, r.number());
      s.setString(4, r.verdict().name());
      s.setString(5, r.policyName());
      s.setInt(6, r.policyVersion());
      s.setInt(7, r.requiredApprovals());
      s.setString(8, String.join("\n", r.notes().stream().map(n -> n.replace('\n', ' ')).toList()));
      s.setString(9, r.reviewedBy());
      s.setObject(10, OffsetDateTime.ofInstant(r.reviewedAt(), ZoneOffset.UTC));
      s.setString(11, r.licenseReportJson());
      s.setString(12, r.evaluationJson());
      s.setObject(13, r.orgProfileVersion().orElse(null), java.sql.Types.INTEGER);
      s.executeUpdate();
    }
  }

  private static void insert(Connection c, Decision d) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO model_decision (" + DECISION_COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, d.id());
      s.setString(2, d.reviewId());
      s.setString(3, d.versionId());
      s.setString(4, d.kind().name());
      s.setString(5, d.dpo());
      s.setString(6, d.justification());
      s.setObject(7, OffsetDateTime.ofInstant(d.decidedAt(), ZoneOffset.UTC));
      s.executeUpdate();
    }
  }

  private static Review readReview(ResultSet r) throws SQLException {
    String notes = r.getString("notes");
    return new Review(r.getString("id"), r.getString("version_id"), r.getInt("review_number"),
        Verdict.valueOf(r.getString("verdict")), r.getString("policy_name"), r.getInt("policy_version"),
        r.getInt("required_approvals"), notes.isEmpty() ? List.of() : Arrays.asList(notes.split("\n")),
        r.getString("reviewed_by"), r.getObject("reviewed_at", OffsetDateTime.class).toInstant(),
        r.getString("license_report"), r.getString("evaluation"),
        Optional.ofNullable((Integer) r.getObject("org_profile_version", Integer.class)));
  }

  private static List<Decision> readDecisions(ResultSet r) throws SQLException {
    List<Decision> out = new ArrayList<>();
    while (r.next()) {
      out.add(new Decision(r.getString("id"), r.getString("review_id"), r.getString("version_id"),
          Decision.Kind.valueOf(r.getString("decision")), r.getString("dpo"), r.getString("justification"),
          r.getObject("decided_at", OffsetDateTime.class).toInstant()));
    }
    return out;
  }

  // ---- checks and records ----

  private static String requireName(String name, String what) {
    if (name == null || name.isBlank()) {
      throw new ApprovalRefused(ApprovalRefused.Code.DPO_REQUIRED, "no " + what + " given; every decision"
          + " names the person who took it");
    }
    return name.strip();
  }

  private static String requireJustification(String justification) {
    String j = justification == null ? "" : justification.strip();
    if (j.length() < MIN_JUSTIFICATION_CHARS) {
      throw new ApprovalRefused(ApprovalRefused.Code.JUSTIFICATION_REQUIRED, "a justification of at least "
          + MIN_JUSTIFICATION_CHARS + " characters is required (found " + j.length() + "): say why, in"
          + " words the DPIA record can show, e.g. which obligations the organization accepts.");
    }
    if (j.length() > MAX_JUSTIFICATION_CHARS) {
      throw new ApprovalRefused(ApprovalRefused.Code.JUSTIFICATION_REQUIRED, "the justification is "
          + j.length() + " characters; keep it under " + MAX_JUSTIFICATION_CHARS
          + " and refer to longer documents by name.");
    }
    return j;
  }

  private static ApprovalRefused notReviewed(ModelVersion v) {
    return new ApprovalRefused(ApprovalRefused.Code.NOT_REVIEWED, name(v) + " has not been reviewed yet;"
        + " review it first (the license audit and the policy verdict come before any decision).");
  }

  private static String bounded(String json, String what, ModelVersion v) {
    if (json.length() > MAX_REPORT_CHARS) {
      throw new IllegalStateException("the " + what + " of " + name(v) + " is " + json.length()
          + " characters, more than the " + MAX_REPORT_CHARS + " a review stores; the model carries"
          + " unusually many license files: ask its publisher for a trimmed bundle");
    }
    return json;
  }

  private static String name(ModelVersion v) {
    return v.modelName() + " " + v.version();
  }

  private static String actorName(Actor actor) {
    return actor.id();
  }

  private static Map<String, Object> base(ModelVersion v, String reviewId) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("versionId", v.id());
    d.put("model", v.modelName());
    d.put("version", v.version());
    d.put("bundleId", v.provenance().bundleId());
    d.put("reviewId", reviewId);
    return d;
  }

  private static Map<String, Object> lifecycle(LifecycleEvent e) {
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("eventId", e.eventId());
    l.put("from", e.from().map(Enum::name).orElse(null));
    l.put("to", e.to().name());
    return l;
  }

  /** The details as the encrypted payload; only the named, non-personal keys become index fields. */
  private static AuditRecord record(String type, Actor actor, ModelVersion v, Map<String, Object> details,
      List<String> indexed) {
    AuditRecord.Builder b = AuditRecord.builder(type).actor(actor);
    if (v != null) b.model(v.modelName());
    for (String key : indexed) {
      Object value = details.get(key);
      if (value != null) b.indexField(key, String.valueOf(value));
    }
    try {
      b.payload(JSON.writeValueAsBytes(details));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return b.build();
  }

  private static IllegalStateException failed(SQLException e) {
    return new IllegalStateException("the appliance database failed: " + e.getMessage(), e);
  }

  /** The vault records the importer as the actor string: {@code user:<name>} for a console user. */
  private static boolean importedBy(ModelVersion v, String dpo) {
    String importer = v.provenance().importer();
    String name = importer.startsWith(AdminRecords.USER_PREFIX) ? importer.substring(AdminRecords.USER_PREFIX.length()) : importer;
    return dpo.equalsIgnoreCase(name);
  }
}
