package dev.airlock.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Role;
import dev.airlock.server.gateway.TestAppliance;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /admin/reviews}: the DPO's queue, review details, decisions and the approval record over JSON. */
class ReviewsApiTest {
  private static final String WHY = "Apache-2.0; attribution kept in the product notice.";

  @TempDir static Path dir;
  static ReviewStand stand;
  static String importer;
  static String dora;
  static String dan;
  static String admin;
  static String auditor;

  @BeforeAll
  static void start() throws Exception {
    stand = ReviewStand.start(dir);
    stand.user("ivy", EnumSet.of(Role.ADMIN));
    stand.user("ines", EnumSet.of(Role.ADMIN));
    stand.user("dora", Set.of(Role.DPO));
    stand.user("dan", Set.of(Role.DPO));
    stand.user("adam", Set.of(Role.ADMIN));
    stand.user("aude", Set.of(Role.AUDITOR));
    importer = stand.token("ivy");
    dora = stand.token("dora");
    dan = stand.token("dan");
    admin = stand.token("adam");
    auditor = stand.token("aude");
  }

  @AfterAll
  static void stop() {
    stand.close();
  }

  private static HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
    return stand.send(method, path, Optional.of(token), body);
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return ReviewStand.JSON.readTree(r.body());
  }

  private static String justified(String why) throws Exception {
    return ReviewStand.JSON.writeValueAsString(java.util.Map.of("justification", why));
  }

  @Test
  void twoDifferentDposApproveAfterTheRulesRefuseEveryShortcut() throws Exception {
    // ines imports it as an ADMIN and is later made a DPO: she still may not approve what she imported.
    JsonNode imported = stand.importModel("qwen3-support", "US", stand.token("ines"));
    String id = imported.get("versionId").asText();
    assertThat(imported.get("verdict").asText()).isEqualTo("ALLOW");

    HttpResponse<String> queue = call("GET", "/admin/reviews", dora, null);
    assertThat(queue.statusCode()).as(queue.body()).isEqualTo(200);
    JsonNode entry = json(queue).get("data").findParents("versionId").stream()
        .filter(n -> n.get("versionId").asText().equals(id)).findFirst().orElseThrow();
    assertThat(entry.get("model").asText()).isEqualTo("qwen3-support");
    assertThat(entry.get("version").asText()).isEqualTo("1.0");
    assertThat(entry.get("verdict").asText()).isEqualTo("ALLOW");
    assertThat(entry.get("approvals").asInt()).isZero();
    assertThat(entry.get("requiredApprovals").asInt()).isEqualTo(2);
    assertThat(entry.get("reviewedAt").asText()).isNotEmpty();

    HttpResponse<String> detail = call("GET", "/admin/reviews/" + id, dora, null);
    assertThat(detail.statusCode()).as(detail.body()).isEqualTo(200);
    JsonNode d = json(detail);
    assertThat(d.at("/provenance/bundleId").asText()).isEqualTo(imported.get("bundleId").asText());
    assertThat(d.at("/provenance/importer").asText()).isEqualTo("user:ines");
    assertThat(d.at("/provenance/transferSignature/signer").asText()).isEqualTo("org-transfer");
    assertThat(d.at("/review/verdict").asText()).isEqualTo("ALLOW");
    assertThat(d.at("/review/policy").asText()).isEqualTo("enterprise-default");
    assertThat(d.at("/review/licenseReport").toString()).contains("Apache-2.0");
    assertThat(d.at("/review/evaluation/verdict").asText()).isEqualTo("ALLOW");
    assertThat(d.at("/metadata/weightFormat").asText()).isEqualTo("GGUF");
    assertThat(d.get("files").findValuesAsText("path")).contains("model/model.gguf");
    assertThat(d.get("history").get(d.get("history").size() - 1).get("to").asText()).isEqualTo("UNDER_REVIEW");

    // refusals: no justification, the operator token, the importer
    HttpResponse<String> empty = call("POST", "/admin/reviews/" + id + "/approve", dora, "{}");
    assertThat(empty.statusCode()).as(empty.body()).isEqualTo(400);
    assertThat(json(empty).at("/error/code").asText()).isEqualTo("justification_required");
    assertThat(json(empty).at("/error/message").asText()).contains("at least 10 characters");
    HttpResponse<String> operator = call("POST", "/admin/reviews/" + id + "/approve", TestAppliance.OPERATOR_TOKEN, justified(WHY));
    assertThat(operator.statusCode()).as(operator.body()).isEqualTo(403);
    assertThat(json(operator).at("/error/message").asText()).isEqualTo(Access.OPERATOR_TOKEN_REFUSED);
    assertThat(json(operator).at("/error/code").asText()).isEqualTo("person_required");
    stand.becomeDpo("ines", "adam", "dan");
    HttpResponse<String> own = call("POST", "/admin/reviews/" + id + "/approve", stand.token("ines"), justified(WHY));
    assertThat(own.statusCode()).as(own.body()).isEqualTo(409);
    assertThat(json(own).at("/error/code").asText()).isEqualTo("importer_cannot_approve");
    assertThat(json(own).at("/error/message").asText()).contains("another DPO must");

    HttpResponse<String> first = call("POST", "/admin/reviews/" + id + "/approve", dora, justified(WHY));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(json(first).get("decision").asText()).isEqualTo("APPROVE");
    assertThat(json(first).get("approvals").asInt()).isEqualTo(1);
    assertThat(json(first).get("requiredApprovals").asInt()).isEqualTo(2);
    assertThat(json(first).get("state").asText()).isEqualTo("UNDER_REVIEW");
    HttpResponse<String> twice = call("POST", "/admin/reviews/" + id + "/approve", dora, justified(WHY));
    assertThat(twice.statusCode()).isEqualTo(409);
    assertThat(json(twice).at("/error/code").asText()).isEqualTo("already_approved");

    HttpResponse<String> second = call("POST", "/admin/reviews/" + id + "/approve", dan, justified("Second look: " + WHY));
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    assertThat(json(second).get("approvals").asInt()).isEqualTo(2);
    assertThat(json(second).get("state").asText()).isEqualTo("APPROVED");
    assertThat(json(call("GET", "/admin/reviews", dora, null)).get("data").findValuesAsText("versionId")).doesNotContain(id);

    HttpResponse<String> record = call("GET", "/admin/reviews/" + id + "/record", admin, null);
    assertThat(record.statusCode()).as(record.body()).isEqualTo(200);
    JsonNode rec = json(record);
    assertThat(rec.get("state").asText()).isEqualTo("APPROVED");
    assertThat(rec.get("policy").asText()).isEqualTo("enterprise-default");
    assertThat(rec.get("decisions").findValuesAsText("dpo")).containsExactly("dora", "dan");
    assertThat(rec.get("decisions").findValuesAsText("justification")).containsExactly(WHY, "Second look: " + WHY);
    assertThat(rec.at("/provenance/manifestSha256").asText()).isEqualTo(d.at("/provenance/manifestSha256").asText());

    ObjectNode recorded = only("model.approval_recorded", id);
    assertThat(recorded.get("actor").asText()).isEqualTo("user:dora");
    assertThat(recorded.at("/fields/decision").asText()).isEqualTo("APPROVE");
    ObjectNode approved = only("model.approved", id);
    assertThat(approved.get("actor").asText()).isEqualTo("user:dan");
    assertThat(approved.at("/fields/state").asText()).isEqualTo("APPROVED");
  }

  @Test
  void oneRejectionDeniesTheModel() throws Exception {
    String id = stand.importModel("qwen3-rejected", "US", importer).get("versionId").asText();
    HttpResponse<String> r = call("POST", "/admin/reviews/" + id + "/reject", dan, justified("Not needed by any team."));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("decision").asText()).isEqualTo("REJECT");
    assertThat(json(r).get("state").asText()).isEqualTo("DENIED");
    ObjectNode rejected = only("model.rejected", id);
    assertThat(rejected.get("actor").asText()).isEqualTo("user:dan");
    HttpResponse<String> late = call("POST", "/admin/reviews/" + id + "/approve", dora, justified(WHY));
    assertThat(late.statusCode()).isEqualTo(409);
    assertThat(json(late).at("/error/code").asText()).isEqualTo("not_under_review");
  }

  @Test
  void aDenyVerdictCanNeverBeApproved() throws Exception {
    JsonNode imported = stand.importModel("ru-model", "RU", importer);
    String id = imported.get("versionId").asText();
    assertThat(imported.get("verdict").asText()).isEqualTo("DENY");
    JsonNode d = json(call("GET", "/admin/reviews/" + id, dora, null));
    assertThat(d.get("state").asText()).isEqualTo("DENIED");
    assertThat(d.at("/review/evaluation/deciding_rules").toString()).contains("deny-sanctioned-origin");
    HttpResponse<String> r = call("POST", "/admin/reviews/" + id + "/approve", dora, justified(WHY));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
    assertThat(json(r).at("/error/code").asText()).isEqualTo("denied_by_policy");
  }

  @Test
  void rolesAndUnknownVersions() throws Exception {
    assertThat(call("GET", "/admin/reviews", admin, null).statusCode()).isEqualTo(403);
    assertThat(call("GET", "/admin/reviews", auditor, null).statusCode()).isEqualTo(403);
    assertThat(call("GET", "/admin/reviews/x/record", auditor, null).statusCode()).isEqualTo(403);
    HttpResponse<String> unknown = call("GET", "/admin/reviews/no-such-version", dora, null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).at("/error/code").asText()).isEqualTo("unknown_version");
    HttpResponse<String> record = call("GET", "/admin/reviews/no-such-version/record", TestAppliance.OPERATOR_TOKEN, null);
    assertThat(record.statusCode()).isEqualTo(404);
    HttpResponse<String> badJson = call("POST", "/admin/reviews/no-such-version/approve", dora, "not json");
    assertThat(badJson.statusCode()).isEqualTo(400);
  }

  private static ObjectNode only(String type, String versionId) throws Exception {
    return stand.records(type).stream().filter(r -> r.at("/fields/versionId").asText().equals(versionId))
        .reduce((a, b) -> {
          throw new AssertionError("more than one " + type + " for " + versionId);
        }).orElseThrow(() -> new AssertionError("no " + type + " for " + versionId));
  }
}
