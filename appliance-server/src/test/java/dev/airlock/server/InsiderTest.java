package dev.airlock.server;

import dev.airlock.server.vocabulary.Sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.policy.PolicyFile;
import dev.airlock.server.api.ReviewStand;
import dev.airlock.server.auth.Role;
import dev.airlock.server.backend.TestBundles;
import dev.airlock.server.changes.PendingChange;
import dev.airlock.server.console.ConsoleClient;
import dev.airlock.server.changes.PendingChanges;
import dev.airlock.server.changes.People;
import dev.airlock.server.changes.PolicyActivation;
import dev.airlock.server.gateway.TestAppliance;
import dev.airlock.server.intake.ReviewIntake;
import dev.airlock.server.policy.PolicyAdmin;
import dev.airlock.server.review.ModelReviews;
import dev.airlock.server.trust.TrustAdmin;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routes an insider would try to make an unapproved model servable, each refused with the
 * message the operator sees, and nothing changed: no activation, no catalog move, no record, no
 * process. Then what keeps the DPOs' queue complete and true: CLI imports reach it, and a policy
 * change or a revoked key takes approved models out of service.
 */
class InsiderTest {
  @TempDir Path dir;

  @Test
  void anAdminCannotServeWhatNeverEnteredTheVaultNorRunAProgramOfItsChoice() throws Exception {
    int port = TestAppliance.freePort();
    try (TestAppliance app = TestAppliance.start(dir, List.of(port), Map.of())) {
      Path gguf = Files.writeString(dir.resolve("model.gguf"), "GGUF");
      String approved = app.approvedVersion("approved-chat", Files.createDirectories(dir.resolve("approved")));
      int records = app.auditCount();
      Map<Map<String, Object>, String> attempts = new java.util.LinkedHashMap<>();
      attempts.put(Map.of("backend", "embedded", "vaultPath", gguf.toString()), "'vaultPath' is not part of an"
          + " activation: only vault versions are served: name one with catalogVersionId (the server lays its files"
          + " out itself)");
      attempts.put(Map.of("backend", "vllm", "vaultPath", dir.toString()), "'vaultPath' is not part of an activation:"
          + " only vault versions are served: name one with catalogVersionId (the server lays its files out itself)");
      attempts.put(Map.of("backend", "vllm", "catalogVersionId", approved, "executable", "/bin/sh",
          "extraArgs", List.of("-c", "touch " + dir.resolve("pwned"))), "'executable' is not part of an activation:"
          + " which vLLM runs is installation configuration (airlock.gateway.vllm-executable), not an API field");
      attempts.put(Map.of("backend", "external", "endpoints", List.of("http://127.0.0.1:" + port)), "'endpoints' is not"
          + " part of an activation: an external server's endpoints are part of its catalog entry: register it with"
          + " POST /admin/externals, have the DPOs approve it, then activate its catalogVersionId");
      attempts.put(Map.of("backend", "external", "catalogVersionId", approved), "approved-chat " + approvedVersionName(app,
          approved) + " is a bundle in the vault: serve it with 'vllm' or 'embedded'. An OpenAI-compatible server"
          + " running elsewhere is registered as a catalog entry of its own (POST /admin/externals), reviewed and"
          + " approved like a bundle, then activated");
      attempts.put(Map.of("backend", "vllm"), "an activation names the vault version to serve: catalogVersionId, or"
          + " catalogModel and catalogVersion. Only versions the vault holds (an imported bundle or a registered"
          + " external server) that the DPOs approved are served; see docs/approvals.md");
      attempts.put(Map.of("catalogVersionId", approved, "model", "x"), "unknown field 'model'; an activation takes"
          + " [backend, catalogModel, catalogVersion, catalogVersionId, ctxSize, embeddings, extraArgs, replicas,"
          + " threads]");
      for (var attempt : attempts.entrySet()) {
        TestAppliance.Answer a = app.admin("PUT", "/admin/models/insider", attempt.getKey());
        assertThat(a.status()).as(attempt.getKey().toString()).isEqualTo(400);
        assertThat(a.body().path("error").path("message").asText()).as(attempt.getKey().toString())
            .isEqualTo(attempt.getValue());
      }
      assertNothingServed(app, records, approved);
      assertThat(dir.resolve("pwned")).doesNotExist();
    }
  }

  @Test
  void vllmFlagsThatLoadCodeOrReadFilesAreRefusedWhateverTheirSpelling() throws Exception {
    try (TestAppliance app = TestAppliance.start(dir, List.of(), Map.of())) {
      String approved = app.approvedVersion("approved-chat", Files.createDirectories(dir.resolve("approved")));
      int records = app.auditCount();
      List<List<String>> spellings = List.of(
          List.of("--trust-remote-code"),
          List.of("--trust_remote_code"),
          List.of("--trust-remote"),
          List.of("--config", dir.resolve("flags.yaml").toString()),
          List.of("--hf-overrides", "{\"trust_remote_code\":true}"),
          List.of("--hf_overrides={\"trust_remote_code\":true}"),
          List.of("--model-loader-extra-config", "{}"),
          List.of("--dtype=--trust-remote-code"),
          List.of("--max-model-len", "4096", "--max-model-len", "8192"),
          List.of("--tensor-parallel", "2"),
          List.of("--port", "1"));
      for (List<String> args : spellings) {
        TestAppliance.Answer a = app.admin("PUT", "/admin/models/insider",
            Map.of("backend", "vllm", "catalogVersionId", approved, "extraArgs", args));
        assertThat(a.status()).as(args.toString()).isEqualTo(400);
        assertThat(a.body().path("error").path("message").asText()).as(args.toString())
            .contains("see docs/gateway.md#vllm-flags");
      }
      assertNothingServed(app, records, approved);
    }
  }

  @Test
  void aBundleTheCliImportedReachesTheDpoQueueOnceTheServerRuns() throws Exception {
    TestBundles bundles = TestBundles.trustedIn(dir.resolve("data"), dir.resolve("bundles"));
    try (TestAppliance app = TestAppliance.start(dir, List.of(), Map.of())) {
      Vault vault = app.bean(Vault.class);
      // What 'airlock bundle import --data-dir' leaves: a catalog version, IMPORTED, never reviewed.
      ModelVersion imported = bundles.importDirectory(vault, bundles.tinyLlamaDirectory("cli-model"), "cli-model", "1.0");
      assertThat(app.bean(ModelReviews.class).queue()).isEmpty();
      int records = app.auditCount();

      assertThat(app.bean(ReviewIntake.class).reviewWaiting()).isEqualTo(1);
      ModelVersion now = vault.catalog().find(imported.id()).orElseThrow();
      assertThat(now.state()).isIn(LifecycleState.UNDER_REVIEW, LifecycleState.DENIED);
      if (now.state() == LifecycleState.UNDER_REVIEW) {
        assertThat(app.bean(ModelReviews.class).queue()).extracting(q -> q.version().id()).containsExactly(imported.id());
      }
      ObjectNode reviewed = app.auditRecordsSince(records).stream()
          .filter(r -> r.path("type").asText().equals("model.reviewed")).findFirst().orElseThrow();
      assertThat(reviewed.path("actor").asText()).isEqualTo("system:airlock-intake");
      assertThat(app.bean(ReviewIntake.class).reviewWaiting()).as("reviewed once").isZero();
    }
  }

  @Test
  void aPolicyThatJudgesAnActiveModelWorseSuspendsItAndItsRequestsAreRefusedAndAudited() throws Exception {
    try (TestAppliance app = TestAppliance.start(dir, List.of(), Map.of())) {
      PolicyAdmin policies = app.bean(PolicyAdmin.class);
      People.create(app.server.getApplicationContext(), "ops", "Ops", Set.of(Role.ADMIN));
      People.create(app.server.getApplicationContext(), "dpo-a", "DPO A", Set.of(Role.DPO));
      String source = PolicyFile.pack("enterprise-default").source();
      PolicyAdmin.Saved base = policies.save(source, "user:ops");
      activate(app, base.policy().name(), base.policy().version());
      String versionId = app.activateVllm("fr-chat", Files.createDirectories(dir.resolve("fr-chat")), 1, List.of());
      JsonNode key = app.createApp("analyst", List.of("fr-chat"), Map.of()).path("key");
      app.awaitHealthy("fr-chat", 1);
      assertThat(chat(app, key.path("secret").asText()).statusCode()).isEqualTo(200);

      // The organization now refuses models published from France: the active model is judged DENY.
      String stricter = source.replace("countries: [BY, CU, IR, KP, RU, SY]", "countries: [BY, CU, FR, IR, KP, RU, SY]");
      PolicyAdmin.Saved saved = policies.save(stricter, "user:ops");
      int records = app.auditCount();
      activate(app, saved.policy().name(), saved.policy().version());

      Vault vault = app.bean(Vault.class);
      // Suspended, then reviewed again under the new policy: DENY, so it is denied, never served.
      assertThat(vault.catalog().find(versionId).orElseThrow().state()).isEqualTo(LifecycleState.DENIED);
      assertThat(vault.catalog().history(versionId)).extracting(e -> e.to().name())
          .containsSubsequence("ACTIVE", "SUSPENDED", "DENIED");
      List<ObjectNode> after = app.auditRecordsSince(records);
      assertThat(after).extracting(r -> r.path("type").asText())
          .containsExactly("change.proposed", "policy.activated", "model.suspended", "model.reviewed");
      ObjectNode suspended = after.stream().filter(r -> r.path("type").asText().equals("model.suspended")).findFirst()
          .orElseThrow();
      assertThat(suspended.path("payload").path("reason").asText()).startsWith("policy enterprise-default version "
          + saved.policy().version() + " judges it worse (");

      app.supervisor().refreshActivations();
      HttpResponse<String> refused = chat(app, key.path("secret").asText());
      assertThat(refused.statusCode()).isEqualTo(404);
      assertThat(app.auditRecordsSince(records).getLast().path("type").asText()).isEqualTo("inference.refused");
      assertThat(app.auditRecordsSince(records).getLast().path("fields").path("reason").asText()).isEqualTo("model_not_active");
      assertThat(app.supervisor().replicas()).doesNotContainKey("fr-chat");
    }
  }

  @Test
  void aPolicyThatKeepsRegressionsPendingLeavesTheModelServedUntilADpoRecordsADecision() throws Exception {
    try (TestAppliance app = TestAppliance.start(dir, List.of(), Map.of());
         ReviewStand people = ReviewStand.on(app)) {
      people.user("ops", Set.of(Role.ADMIN));
      people.user("dpo-a", Set.of(Role.DPO));
      PolicyAdmin policies = app.bean(PolicyAdmin.class);
      String source = PolicyFile.pack("enterprise-default").source()
          .replace("approvals: 2", "approvals: 2\non_regression: keep-pending-decision");
      activate(app, policies.save(source, "user:ops").policy().name(), 1);
      String kept = app.activateVllm("fr-chat", Files.createDirectories(dir.resolve("fr-chat")), 1, List.of());
      String stopped = app.activateVllm("fr-code", Files.createDirectories(dir.resolve("fr-code")), 1, List.of());
      JsonNode key = app.createApp("analyst", List.of("fr-chat", "fr-code"), Map.of()).path("key");
      app.awaitHealthy("fr-chat", 1);
      app.awaitHealthy("fr-code", 1);

      int records = app.auditCount();
      activate(app, "enterprise-default", policies.save(source.replace("countries: [BY, CU, IR, KP, RU, SY]",
          "countries: [BY, CU, FR, IR, KP, RU, SY]"), "user:ops").policy().version());
      Vault vault = app.bean(Vault.class);
      for (String id : List.of(kept, stopped)) {
        assertThat(vault.catalog().find(id).orElseThrow().state()).as("kept in service").isEqualTo(LifecycleState.ACTIVE);
      }
      assertThat(app.auditRecordsSince(records)).extracting(r -> r.path("type").asText()).containsExactly(
          "policy.saved", "change.proposed", "policy.activated", "model.regression_pending", "model.regression_pending");
      assertThat(chat(app, key.path("secret").asText(), "fr-chat").statusCode()).isEqualTo(200);
      String dpo = people.token("dpo-a");
      JsonNode queue = ReviewStand.JSON.readTree(people.send("GET", "/admin/reviews", java.util.Optional.of(dpo), null).body());
      assertThat(queue.path("pendingRegressions")).extracting(r -> r.path("versionId").asText())
          .containsExactlyInAnyOrder(kept, stopped);
      assertThat(queue.path("pendingRegressions").get(0).path("reason").asText()).startsWith("policy enterprise-default"
          + " version 2 judges it worse (REVIEW -> DENY");

      // Refused: no justification; the operator token. Nothing moves.
      HttpResponse<String> noReason = people.send("POST", "/admin/reviews/" + kept + "/regression",
          java.util.Optional.of(dpo), "{\"decision\":\"keep\"}");
      assertThat(noReason.statusCode()).isEqualTo(400);
      HttpResponse<String> token = app.http.send(HttpRequest.newBuilder(app.url("/admin/reviews/" + kept + "/regression"))
          .header("authorization", "Bearer " + TestAppliance.OPERATOR_TOKEN)
          .POST(HttpRequest.BodyPublishers.ofString("{\"decision\":\"keep\",\"justification\":\"the token decides\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(token.statusCode()).isEqualTo(403);

      // Kept, from the console's queue: recorded with the justification, still served.
      ConsoleClient console = new ConsoleClient(app.url("/"));
      assertThat(console.signIn("dpo-a", ReviewStand.password("dpo-a")).statusCode()).isEqualTo(303);
      assertThat(console.get("/console/reviews").body()).contains("Judged worse, still served")
          .contains("/console/reviews/" + kept + "/regression");
      int beforeKeep = app.auditCount();
      HttpResponse<String> keep = console.post("/console/reviews/" + kept + "/regression",
          Map.of("decision", "keep", "justification", "French origin accepted for this one until renewal"));
      assertThat(keep.body()).contains("Kept in service; your decision and its justification are in the audit log.");
      ObjectNode keptRecord = app.auditRecordsSince(beforeKeep).getFirst();
      assertThat(keptRecord.path("type").asText()).isEqualTo("model.regression_kept");
      assertThat(keptRecord.path("actor").asText()).isEqualTo("user:dpo-a");
      assertThat(keptRecord.path("payload").path("justification").asText()).isEqualTo("French origin accepted for this"
          + " one until renewal");
      assertThat(vault.catalog().find(kept).orElseThrow().state()).isEqualTo(LifecycleState.ACTIVE);

      // Suspended, over the API: no longer served, reviewed again (DENY), nothing left to decide.
      HttpResponse<String> suspend = people.send("POST", "/admin/reviews/" + stopped + "/regression",
          java.util.Optional.of(dpo), "{\"decision\":\"suspend\",\"justification\":\"French origin is now out of bounds\"}");
      assertThat(suspend.statusCode()).as(suspend.body()).isEqualTo(200);
      assertThat(vault.catalog().history(stopped)).extracting(e -> e.to().name()).endsWith("SUSPENDED", "DENIED");
      HttpResponse<String> again = people.send("POST", "/admin/reviews/" + stopped + "/regression",
          java.util.Optional.of(dpo), "{\"decision\":\"keep\",\"justification\":\"changed my mind about it\"}");
      assertThat(again.statusCode()).isEqualTo(409);
      assertThat(ReviewStand.JSON.readTree(again.body()).path("error").path("code").asText()).isEqualTo("no_pending_regression");
      app.supervisor().refreshActivations();
      assertThat(chat(app, key.path("secret").asText(), "fr-code").statusCode()).isEqualTo(404);
      assertThat(chat(app, key.path("secret").asText(), "fr-chat").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void revokingTheKeyThatBroughtAModelInSuspendsItWhileActive() throws Exception {
    TestBundles bundles = TestBundles.trustedIn(dir.resolve("data"), dir.resolve("bundles"));
    try (TestAppliance app = TestAppliance.start(dir, List.of(), Map.of())) {
      Vault vault = app.bean(Vault.class);
      ModelVersion v = TestBundles.approve(vault, bundles.importDirectory(vault, bundles.tinyLlamaDirectory("signed"),
          "signed", "1.0"));
      TestAppliance.Answer activated = app.admin("PUT", "/admin/models/signed", Map.of("catalogVersionId", v.id()));
      assertThat(activated.status()).as(activated.body().toString()).isEqualTo(200);
      int records = app.auditCount();

      TrustAdmin.Revoked revoked = app.bean(TrustAdmin.class).revoke("org-transfer", "private key leaked", "user:security");

      assertThat(revoked.modelsSuspended()).isEqualTo(1);
      assertThat(vault.catalog().find(v.id()).orElseThrow().state()).isEqualTo(LifecycleState.SUSPENDED);
      assertThat(app.auditRecordsSince(records)).extracting(r -> r.path("type").asText())
          .containsExactly("trust.revoked", "model.suspended");
      app.supervisor().refreshActivations();
      assertThat(app.bean(dev.airlock.server.backend.ActiveModels.class).names()).doesNotContain("signed");
      TestAppliance.Answer again = app.admin("PUT", "/admin/models/signed", Map.of("catalogVersionId", v.id()));
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.body().path("error").path("message").asText()).isEqualTo("signed 1.0 is SUSPENDED in the vault;"
          + " it was suspended because what it was approved on changed (a policy, the organization profile, or a"
          + " revoked key): it is served again only after a new review and the DPOs' approval");
    }
  }

  @Test
  void anActivationWhoseAuditRecordCannotBeWrittenLeavesTheVersionApprovedAndNothingServed() throws Exception {
    // Small segments, so the log soon has to create a new file in its storage.
    try (TestAppliance app = TestAppliance.start(dir, List.of(), Map.of("airlock.audit.segment-bytes", 4096))) {
      Path auditDir = app.auditLog().directory();
      Files.move(auditDir, auditDir.resolveSibling("audit-moved"));
      Files.writeString(auditDir, "not a directory any more");
      Vault vault = app.bean(Vault.class);
      String refused = null;
      for (int i = 0; i < 60 && refused == null; i++) {
        String id = app.approvedVersion("m" + i, Files.createDirectories(dir.resolve("m" + i)));
        TestAppliance.Answer a = app.admin("PUT", "/admin/models/m" + i, Map.of("catalogVersionId", id));
        if (a.status() == 200) continue;
        assertThat(a.status()).as(a.body().toString()).isEqualTo(503);
        assertThat(a.body().path("error").path("code").asText()).isEqualTo("audit_unavailable");
        refused = id;
        assertThat(vault.catalog().find(id).orElseThrow().state()).as("the catalog's move rolled back")
            .isEqualTo(LifecycleState.APPROVED);
        assertThat(app.bean(dev.airlock.server.backend.ActiveModels.class).names()).doesNotContain("m" + i);
        String modelId = "m" + i;
        assertThat(rows(app, "SELECT COUNT(*) FROM gateway_model WHERE id = '" + modelId + "'")).isZero();
      }
      assertThat(refused).as("an activation refused once the log could not write").isNotNull();
    }
  }

  /** Proposed by ops, confirmed by dpo-a: the only way a policy version becomes active. */
  private static void activate(TestAppliance app, String policy, int version) {
    PendingChanges changes = app.bean(PendingChanges.class);
    PendingChange p = changes.propose(PolicyActivation.of(app.bean(PolicyAdmin.class).preview(policy, version)), "ops");
    changes.confirm(p.id(), "dpo-a");
  }

  private static String approvedVersionName(TestAppliance app, String versionId) throws Exception {
    return app.bean(Vault.class).catalog().find(versionId).orElseThrow().version();
  }

  private static HttpResponse<String> chat(TestAppliance app, String key) throws Exception {
    return chat(app, key, "fr-chat");
  }

  private static HttpResponse<String> chat(TestAppliance app, String key, String model) throws Exception {
    return app.http.send(HttpRequest.newBuilder(app.url("/v1/chat/completions"))
        .header("authorization", "Bearer " + key)
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** No activation, the version still APPROVED, no record appended, no replica started. */
  private static void assertNothingServed(TestAppliance app, int records, String versionId) throws Exception {
    assertThat(app.auditCount()).isEqualTo(records);
    assertThat(app.bean(dev.airlock.server.backend.ActiveModels.class).names()).isEmpty();
    assertThat(app.supervisor().replicas()).isEmpty();
    assertThat(app.bean(Vault.class).catalog().find(versionId).orElseThrow().state()).isEqualTo(LifecycleState.APPROVED);
    assertThat(rows(app, "SELECT COUNT(*) FROM gateway_model")).isZero();
  }

  private static int rows(TestAppliance app, String countQuery) {
    Sql.Reader<Integer> count = rs -> {
      rs.next();
      return rs.getInt(1);
    };
    return Sql.query(app.bean(ApplianceDatabase.class).dataSource(), countQuery, ps -> {}, count);
  }
}
