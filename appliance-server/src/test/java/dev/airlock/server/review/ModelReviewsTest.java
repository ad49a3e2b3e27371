package dev.airlock.server.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditKeys;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogException;
import dev.airlock.audit.AuditLogOptions;
import dev.airlock.audit.AuditRecord;
import dev.airlock.policy.PolicyFile;
import dev.airlock.policy.PolicyStore;
import dev.airlock.policy.Verdict;
import dev.airlock.server.ApplianceConfig;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.vault.Progress;
import dev.airlock.vault.Vault;
import dev.airlock.vault.bundle.BundleWriter;
import dev.airlock.vault.catalog.LifecycleEvent;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.metadata.TinyLlamaModel;
import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.SigningKey;
import dev.airlock.vault.trust.TrustRole;
import dev.airlock.vault.trust.TrustStore;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviews and DPO decisions on real signed bundles imported into a real vault, on the server's
 * own database (H2 file, migrated by the server's migrations) and a real audit log.
 */
class ModelReviewsTest {
  // Not final: ModelReviewsPostgresTest runs the same specification on PostgreSQL.
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path QWEN3_APACHE = Path.of("../license-audit/src/test/resources/fixtures/models/qwen3-apache");
  private static final String IMPORTER = "alice-importer";
  private static final String WHY = "Apache-2.0, attribution kept in the product notice.";

  @TempDir Path dir;
  private Path dataDir;
  private SigningKey transferKey;
  private ApplianceDatabase database;
  private Vault vault;
  private AuditLog audit;
  private ModelReviews reviews;

  @BeforeEach
  void open() throws Exception {
    dataDir = dir.resolve("data");
    transferKey = SigningKey.generate(Curve.P256);
    TrustStore.open(dataDir, Clock.systemUTC()).addKey("org-transfer", TrustRole.TRANSFER,
        transferKey.verifyingKey().publicKey(), Optional.empty(), Optional.empty());
    ApplianceConfig config = new ApplianceConfig(database());
    config.setDataDir(dataDir);
    database = new ApplianceDatabase(config);
    vault = Vault.open(dataDir, database.dataSource(), Vault.Options.defaults());
    Files.createDirectories(dataDir.resolve("secrets"));
    audit = AuditLog.open(AuditLog.directoryIn(dataDir),
        AuditKeys.loadOrGenerate(dataDir.resolve("secrets").resolve("audit.keys"), "test/audit"),
        AuditLogOptions.defaults());
    reviews = new ModelReviews(vault, audit, database.dataSource(), Clock.systemUTC());
  }

  /** The embedded H2 file, as the server uses by default; the PostgreSQL run overrides this. */
  ApplianceConfig.DatabaseConfig database() throws Exception {
    return new ApplianceConfig.DatabaseConfig();
  }

  @AfterEach
  void close() throws Exception {
    audit.close();
    vault.close();
    database.close();
  }

  /** Imports a signed bundle of the Qwen3 Apache-2.0 fixture with a tiny GGUF model; returns its version id. */
  private String importModel(String name, String originCountry) throws Exception {
    return importModel(name, originCountry, IMPORTER);
  }

  private String importModel(String name, String originCountry, String importer) throws Exception {
    Path model = Files.createDirectories(dir.resolve("model-" + name));
    try (Stream<Path> files = Files.list(QWEN3_APACHE)) {
      for (Path f : files.toList()) Files.copy(f, model.resolve(f.getFileName()));
    }
    Files.writeString(model.resolve("config.json"), "{\"model_type\":\"qwen3\"}");
    TinyLlamaModel.DEFAULT.writeTo(model.resolve("model.gguf"));
    Path tar = dir.resolve(name + ".tar");
    try (OutputStream o = Files.newOutputStream(tar)) {
      BundleWriter.write(model, Optional.empty(), new BundleWriter.Description(name, "1.0", "Example Labs",
          originCountry, Optional.empty()), transferKey, Clock.systemUTC(), o, Progress.NONE);
    }
    return vault.importBundle(tar, importer, Progress.NONE).version().id();
  }

  private String reviewedApacheModel() throws Exception {
    String id = importModel("qwen3-support", "US");
    reviews.review(id, Actor.system(IMPORTER));
    return id;
  }

  private LifecycleState state(String id) throws Exception {
    return vault.catalog().find(id).orElseThrow().state();
  }

  private List<AuditRecord> records(String type) {
    List<AuditRecord> out = new ArrayList<>();
    for (long i = 0; i < audit.size(); i++) {
      AuditRecord r = audit.decrypt(i).orElseThrow();
      if (r.type().equals(type)) out.add(r);
    }
    return out;
  }

  private static JsonNode payload(AuditRecord r) throws Exception {
    return JSON.readTree(r.payload());
  }

  private static ApprovalRefused.Code refusal(Runnable action) {
    try {
      action.run();
    } catch (ApprovalRefused e) {
      return e.reason();
    }
    throw new AssertionError("expected the action to be refused");
  }

  @Test
  void reviewOfAnApacheModelAllowsItAndPutsItUnderReview() throws Exception {
    String id = importModel("qwen3-support", "US");

    Review r = reviews.review(id, Actor.system(IMPORTER));

    assertThat(r.verdict()).as(r.evaluationJson()).isEqualTo(Verdict.ALLOW);
    assertThat(r.number()).isEqualTo(1);
    assertThat(r.policyName()).isEqualTo("enterprise-default");
    assertThat(r.policyVersion()).isEqualTo(1);
    assertThat(r.requiredApprovals()).isEqualTo(2);
    assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith(
        "No policy was active, so the shipped pack 'enterprise-default' (version 1) was activated for this review."));
    assertThat(state(id)).isEqualTo(LifecycleState.UNDER_REVIEW);
    LifecycleEvent moved = vault.catalog().history(id).getLast();
    assertThat(moved.from()).hasValue(LifecycleState.IMPORTED);
    assertThat(moved.actor()).isEqualTo(IMPORTER);
    assertThat(new PolicyStore(database.dataSource(), Clock.systemUTC()).active().orElseThrow().name())
        .isEqualTo("enterprise-default");

    JsonNode report = JSON.readTree(r.licenseReportJson());
    assertThat(report.toString()).contains("Apache-2.0");
    JsonNode evaluation = JSON.readTree(r.evaluationJson());
    assertThat(evaluation.get("verdict").asText()).isEqualTo("ALLOW");
    assertThat(evaluation.at("/provenance/transfer_signature").asText()).isEqualTo("verified");
    assertThat(evaluation.get("required_approvals").asInt()).isEqualTo(2);

    ReviewDetail detail = reviews.latest(id).orElseThrow();
    assertThat(detail.review()).isEqualTo(r);
    assertThat(detail.metadata().orElseThrow().weightFormat()).isEqualTo("GGUF");
    assertThat(detail.version().provenance().importer()).isEqualTo(IMPORTER);
    assertThat(detail.approvals()).isZero();
    assertThat(reviews.queue()).singleElement().satisfies(q -> {
      assertThat(q.version().id()).isEqualTo(id);
      assertThat(q.verdict()).isEqualTo(Verdict.ALLOW);
      assertThat(q.approvals()).isZero();
      assertThat(q.requiredApprovals()).isEqualTo(2);
    });

    AuditRecord reviewed = records("model.reviewed").getFirst();
    assertThat(reviewed.actor()).isEqualTo(Actor.system(IMPORTER));
    assertThat(reviewed.indexFields()).containsEntry("verdict", "ALLOW").containsEntry("versionId", id);
    assertThat(payload(reviewed).at("/lifecycle/to").asText()).isEqualTo("UNDER_REVIEW");
    assertThat(records("policy.activated")).hasSize(1);
  }

  @Test
  void aModelFromASanctionedOriginIsDeniedAndCanNeverBeApproved() throws Exception {
    String id = importModel("ru-model", "RU");

    Review r = reviews.review(id, Actor.system(IMPORTER));

    assertThat(r.verdict()).isEqualTo(Verdict.DENY);
    assertThat(JSON.readTree(r.evaluationJson()).get("deciding_rules").toString()).contains("deny-sanctioned-origin");
    assertThat(state(id)).isEqualTo(LifecycleState.DENIED);
    assertThat(reviews.queue()).isEmpty();
    assertThatThrownBy(() -> reviews.approve(id, "dpo-bob", WHY))
        .isInstanceOfSatisfying(ApprovalRefused.class, e -> assertThat(e.reason()).isEqualTo(ApprovalRefused.Code.DENIED_BY_POLICY))
        .hasMessage("ru-model 1.0 was denied by policy enterprise-default version 1; a DENY verdict can never be"
            + " approved. Read the deciding rules' how-to-fix, or review it again after a policy change.");
    assertThat(reviews.decisions(id)).isEmpty();
  }

  @Test
  void twoDifferentDposMustApproveWhenThePolicyAsksForFourEyes() throws Exception {
    String id = reviewedApacheModel();

    DecisionResult first = reviews.approve(id, "dpo-bob", WHY);

    assertThat(first.approvals()).isEqualTo(1);
    assertThat(first.requiredApprovals()).isEqualTo(2);
    assertThat(first.state()).isEqualTo(LifecycleState.UNDER_REVIEW);
    assertThat(state(id)).isEqualTo(LifecycleState.UNDER_REVIEW);
    assertThat(reviews.queue().getFirst().approvals()).isEqualTo(1);
    AuditRecord recorded = records("model.approval_recorded").getFirst();
    assertThat(recorded.actor()).isEqualTo(Actor.user("dpo-bob"));
    assertThat(payload(recorded).get("justification").asText()).isEqualTo(WHY);
    assertThat(recorded.indexFields()).doesNotContainKey("justification");

    DecisionResult second = reviews.approve(id, "dpo-carol", "Second pair of eyes: license and origin checked.");

    assertThat(second.approvals()).isEqualTo(2);
    assertThat(second.state()).isEqualTo(LifecycleState.APPROVED);
    assertThat(state(id)).isEqualTo(LifecycleState.APPROVED);
    LifecycleEvent approved = vault.catalog().history(id).getLast();
    assertThat(approved.to()).isEqualTo(LifecycleState.APPROVED);
    assertThat(approved.actor()).isEqualTo("dpo-carol");
    assertThat(approved.reason()).hasValue("approved by dpo-bob, dpo-carol");
    AuditRecord done = records("model.approved").getFirst();
    assertThat(done.actor()).isEqualTo(Actor.user("dpo-carol"));
    assertThat(done.model()).hasValue("qwen3-support");
    assertThat(payload(done).at("/lifecycle/to").asText()).isEqualTo("APPROVED");
    assertThat(reviews.queue()).isEmpty();

    ApprovalRecord record = reviews.approvalRecord(id);
    assertThat(record.modelName()).isEqualTo("qwen3-support");
    assertThat(record.provenance().transferSignerName()).isEqualTo("org-transfer");
    assertThat(record.files()).isNotEmpty();
    assertThat(record.verdict()).isEqualTo(Verdict.ALLOW);
    assertThat(record.policyName()).isEqualTo("enterprise-default");
    assertThat(record.obligations()).isNotEmpty();
    assertThat(record.decisions()).extracting(Decision::dpo).containsExactly("dpo-bob", "dpo-carol");
    assertThat(record.decisions()).extracting(Decision::justification).first().isEqualTo(WHY);
    assertThat(record.state()).isEqualTo(LifecycleState.APPROVED);
    assertThat(record.stateSince()).isEqualTo(approved.at());
  }

  @Test
  void whoeverImportedTheModelCannotApproveIt() throws Exception {
    String id = reviewedApacheModel();

    assertThatThrownBy(() -> reviews.approve(id, IMPORTER, WHY))
        .isInstanceOfSatisfying(ApprovalRefused.class,
            e -> assertThat(e.reason()).isEqualTo(ApprovalRefused.Code.IMPORTER_CANNOT_APPROVE))
        .hasMessage("alice-importer imported qwen3-support 1.0 and so cannot approve it: another DPO must.");
    assertThat(reviews.decisions(id)).isEmpty();
  }

  @Test
  void aConsoleUserWhoImportedTheModelCannotApproveItEither() throws Exception {
    // The server records a console user's import as the actor string "user:<name>".
    String id = importModel("qwen3-console", "US", "user:carol");
    reviews.review(id, Actor.user("carol"));

    assertThatThrownBy(() -> reviews.approve(id, "carol", WHY))
        .isInstanceOfSatisfying(ApprovalRefused.class,
            e -> assertThat(e.reason()).isEqualTo(ApprovalRefused.Code.IMPORTER_CANNOT_APPROVE));
    assertThat(reviews.decisions(id)).isEmpty();
  }

  @Test
  void theSameDpoCannotApproveTwice() throws Exception {
    String id = reviewedApacheModel();
    reviews.approve(id, "dpo-bob", WHY);

    assertThatThrownBy(() -> reviews.approve(id, "dpo-bob", WHY))
        .isInstanceOfSatisfying(ApprovalRefused.class, e -> assertThat(e.reason()).isEqualTo(ApprovalRefused.Code.ALREADY_APPROVED))
        .hasMessageStartingWith("dpo-bob already approved qwen3-support 1.0 on ")
        .hasMessageEndingWith("; a further approval must come from a different DPO.");
    assertThat(reviews.decisions(id)).hasSize(1);
    assertThat(state(id)).isEqualTo(LifecycleState.UNDER_REVIEW);
  }

  @Test
  void aJustificationIsRequired() throws Exception {
    String id = reviewedApacheModel();

    for (String blank : new String[] {null, "", "   ", "ok, fine"}) {
      assertThat(refusal(() -> reviews.approve(id, "dpo-bob", blank))).isEqualTo(ApprovalRefused.Code.JUSTIFICATION_REQUIRED);
      assertThat(refusal(() -> reviews.reject(id, "dpo-bob", blank))).isEqualTo(ApprovalRefused.Code.JUSTIFICATION_REQUIRED);
    }
    assertThatThrownBy(() -> reviews.approve(id, "dpo-bob", "  "))
        .hasMessageStartingWith("a justification of at least 10 characters is required (found 0)");
    assertThat(refusal(() -> reviews.approve(id, " ", WHY))).isEqualTo(ApprovalRefused.Code.DPO_REQUIRED);
    assertThat(reviews.decisions(id)).isEmpty();
  }

  @Test
  void aRejectionDeniesTheModelAtOnce() throws Exception {
    String id = reviewedApacheModel();
    reviews.approve(id, "dpo-bob", WHY);

    DecisionResult r = reviews.reject(id, "dpo-carol", "The use case needs a model with an EU publisher.");

    assertThat(r.state()).isEqualTo(LifecycleState.DENIED);
    assertThat(state(id)).isEqualTo(LifecycleState.DENIED);
    assertThat(vault.catalog().history(id).getLast().actor()).isEqualTo("dpo-carol");
    assertThat(records("model.rejected")).singleElement().satisfies(rec ->
        assertThat(rec.actor()).isEqualTo(Actor.user("dpo-carol")));
    assertThat(refusal(() -> reviews.approve(id, "dpo-dave", WHY))).isEqualTo(ApprovalRefused.Code.NOT_UNDER_REVIEW);
    assertThat(reviews.decisions(id)).extracting(Decision::kind)
        .containsExactly(Decision.Kind.APPROVE, Decision.Kind.REJECT);
  }

  @Test
  void aVersionNeverReviewedCannotBeDecided() throws Exception {
    String id = importModel("qwen3-support", "US");

    assertThat(refusal(() -> reviews.approve(id, "dpo-bob", WHY))).isEqualTo(ApprovalRefused.Code.NOT_REVIEWED);
    assertThat(refusal(() -> reviews.approve("no-such-version", "dpo-bob", WHY))).isEqualTo(ApprovalRefused.Code.UNKNOWN_VERSION);
    assertThat(reviews.latest(id)).isEmpty();
  }

  @Test
  void aReReviewAfterAPolicyChangeKeepsHistoryAndStartsApprovalsAgain() throws Exception {
    String id = reviewedApacheModel();
    reviews.approve(id, "dpo-bob", WHY);
    PolicyStore store = new PolicyStore(database.dataSource(), Clock.systemUTC());
    PolicyStore.StoredPolicy permissive = store.save(PolicyFile.pack("permissive-only"), "admin");
    store.activate(permissive.name(), permissive.version(), "admin");

    Review again = reviews.review(id, "dpo-bob");

    assertThat(again.number()).isEqualTo(2);
    assertThat(again.policyName()).isEqualTo("permissive-only");
    assertThat(again.requiredApprovals()).isEqualTo(1);
    assertThat(reviews.reviews(id)).extracting(Review::number).containsExactly(1, 2);
    assertThat(reviews.latest(id).orElseThrow().approvals()).isZero();
    assertThat(reviews.decisions(id)).hasSize(1); // the earlier decision stays on the earlier review

    DecisionResult approved = reviews.approve(id, "dpo-bob", WHY);

    assertThat(approved.state()).isEqualTo(LifecycleState.APPROVED);
    assertThat(refusal(() -> reviews.review(id, "dpo-bob"))).isEqualTo(ApprovalRefused.Code.NOT_REVIEWABLE);
  }

  @Test
  void whenTheAuditLogCannotRecordADecisionNothingIsStored() throws Exception {
    String id = reviewedApacheModel();
    reviews.approve(id, "dpo-bob", WHY);
    audit.close();

    assertThatThrownBy(() -> reviews.approve(id, "dpo-carol", WHY)).isInstanceOf(AuditLogException.class);
    assertThatThrownBy(() -> reviews.reject(id, "dpo-carol", WHY)).isInstanceOf(AuditLogException.class);

    assertThat(reviews.decisions(id)).extracting(Decision::dpo).containsExactly("dpo-bob");
    assertThat(state(id)).isEqualTo(LifecycleState.UNDER_REVIEW);
    assertThat(vault.catalog().history(id).getLast().to()).isEqualTo(LifecycleState.UNDER_REVIEW);
    reopenAudit();
  }

  @Test
  void whenTheAuditLogCannotRecordAReviewNothingIsStored() throws Exception {
    String id = importModel("qwen3-support", "US");
    PolicyStore store = new PolicyStore(database.dataSource(), Clock.systemUTC());
    store.activate(store.save(PolicyFile.pack("enterprise-default"), "admin").name(), 1, "admin");
    audit.close();

    assertThatThrownBy(() -> reviews.review(id, Actor.system(IMPORTER))).isInstanceOf(AuditLogException.class);

    assertThat(reviews.reviews(id)).isEmpty();
    assertThat(state(id)).isEqualTo(LifecycleState.IMPORTED);
    reopenAudit();
  }

  /** So that {@link #close} has an open log to close. */
  private void reopenAudit() throws Exception {
    audit = AuditLog.open(AuditLog.directoryIn(dataDir),
        AuditKeys.loadOrGenerate(dataDir.resolve("secrets").resolve("audit.keys"), "test/audit"),
        AuditLogOptions.defaults());
  }
}
