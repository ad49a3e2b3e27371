package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.policy.PolicyFile;
import dev.airlock.policy.PolicyStore;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
import dev.airlock.server.changes.PendingChange;
import dev.airlock.server.changes.PendingChanges;
import dev.airlock.server.changes.People;
import dev.airlock.server.gateway.TestAppliance;
import dev.airlock.vault.ImportResult;
import dev.airlock.vault.Progress;
import dev.airlock.vault.Vault;
import dev.airlock.vault.bundle.BundleWriter;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.SigningKey;
import dev.airlock.vault.signing.VerifyingKey;
import dev.airlock.vault.trust.TrustRole;
import dev.airlock.vault.trust.TrustStore;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's pages and JSON routes for apps and keys, the policy and the trust store, on a
 * running server: what an ADMIN sees and changes, what each change records, and who is refused.
 */
class OperatorPagesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NEW_KEY = Pattern.compile("id=\"new-api-key\">(alk_[^<]+)<");

  @TempDir static Path dir;
  static TestAppliance app;
  static Users users;
  static SigningKey transferKey;
  static int counter;

  @BeforeAll
  static void start() throws Exception {
    transferKey = SigningKey.generate(Curve.P256);
    TrustStore.open(dir.resolve("data"), Clock.systemUTC()).addKey("org-transfer", TrustRole.TRANSFER,
        transferKey.verifyingKey().publicKey(), Optional.empty(), Optional.empty());
    app = TestAppliance.start(dir, List.of(), Map.of());
    users = app.server.getApplicationContext().getBean(Users.class);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  /** A signed-in browser of a new user with these roles, one-time password already changed. */
  static ConsoleClient signedIn(Role role) throws Exception {
    String name = role.name().toLowerCase() + (++counter);
    People.withPassword(app.server.getApplicationContext(), name, name, EnumSet.of(role), "a-long-passphrase-9");
    ConsoleClient b = new ConsoleClient(app.url("/"));
    assertThat(b.signIn(name, "a-long-passphrase-9").statusCode()).isEqualTo(303);
    return b;
  }

  /** A session token (als_) for a new user with this role. */
  static String sessionToken(Role role) throws Exception {
    String name = role.name().toLowerCase() + (++counter);
    People.withPassword(app.server.getApplicationContext(), name, name, EnumSet.of(role), "a-long-passphrase-9");
    HttpResponse<String> r = app.http.send(HttpRequest.newBuilder(app.url("/admin/session"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + name + "\",\"password\":\"a-long-passphrase-9\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(201);
    return JSON.readTree(r.body()).path("token").asText();
  }

  static HttpResponse<String> call(String token, String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(app.url(path)).header("authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) b.header("content-type", contentType);
    return app.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The newest change waiting for a DPO. */
  static PendingChange newestPending() {
    List<PendingChange> pending = app.server.getApplicationContext().getBean(PendingChanges.class).pending();
    assertThat(pending).as("a change waits for a DPO").isNotEmpty();
    return pending.get(pending.size() - 1);
  }

  /** A DPO confirms the newest pending change on the console's Changes page; returns the page. */
  static HttpResponse<String> confirmNewest(ConsoleClient dpo) throws Exception {
    PendingChange p = newestPending();
    assertThat(dpo.get("/console/changes").body()).contains(p.id());
    HttpResponse<String> done = dpo.post("/console/changes/" + p.id() + "/confirm", Map.of());
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    return done;
  }

  static int v1Models(String key) throws Exception {
    return app.http.send(HttpRequest.newBuilder(app.url("/v1/models")).header("authorization", "Bearer " + key).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  static List<String> typesSince(int from) throws Exception {
    return app.auditRecordsSince(from).stream().map(n -> n.path("type").asText()).toList();
  }

  static String newKey(HttpResponse<String> page) {
    Matcher m = NEW_KEY.matcher(page.body());
    assertThat(m.find()).as("the page shows the new key once: " + page.body()).isTrue();
    return m.group(1);
  }

  static String appId(HttpResponse<String> page) {
    Matcher m = Pattern.compile("action=\"/console/apps/(app_[^/\"]+)/keys\"").matcher(page.body());
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  @Test
  void creatingAnAppShowsItsKeyOnceAndTheKeyWorksUntilRevoked() throws Exception {
    ConsoleClient admin = signedIn(Role.ADMIN);
    assertThat(admin.get("/console/apps").statusCode()).isEqualTo(200);
    int before = app.auditCount();
    HttpResponse<String> created = admin.post("/console/apps", Map.of("name", "helpdesk-bot", "requestsPerMinute", "90",
        "tokensPerMinute", "", "maxRequestBytes", "", "subjectHeader", "X-End-User", "grants", "llama-small, chat\nembed"));
    assertThat(created.statusCode()).isEqualTo(200);
    String key = newKey(created);
    assertThat(created.body()).contains("shown only now").contains("X-End-User").contains("<code>chat </code>");
    assertThat(typesSince(before)).containsExactly("app.created");
    assertThat(v1Models(key)).isEqualTo(200);

    String id = appId(created);
    HttpResponse<String> again = admin.get("/console/apps/" + id);
    assertThat(again.body()).doesNotContain(key).doesNotContain("new-api-key").contains(key.substring(0, 8));
    HttpResponse<String> list = admin.get("/console/apps");
    assertThat(list.body()).contains("helpdesk-bot").contains(">90<").contains("1 (1)");

    HttpResponse<String> edited = admin.post("/console/apps/" + id, Map.of("name", "helpdesk-bot", "requestsPerMinute", "120",
        "tokensPerMinute", "5000", "maxRequestBytes", "65536", "subjectHeader", "", "grants", "chat"));
    assertThat(edited.statusCode()).isEqualTo(200);
    assertThat(edited.body()).contains(">120<").contains(">5000<").doesNotContain("llama-small");
    HttpResponse<String> bad = admin.post("/console/apps/" + id, Map.of("requestsPerMinute", "lots"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("Requests per minute must be a whole number; found &#39;lots&#39;");

    String keyId = app.admin("GET", "/admin/apps/" + id + "/keys", null).body().get(0).path("keyId").asText();
    HttpResponse<String> rotated = admin.post("/console/apps/" + id + "/keys/" + keyId + "/rotate", Map.of());
    String second = newKey(rotated);
    assertThat(v1Models(key)).isEqualTo(401);
    assertThat(v1Models(second)).isEqualTo(200);

    String secondId = app.admin("GET", "/admin/apps/" + id + "/keys", null).body().get(1).path("keyId").asText();
    HttpResponse<String> revoked = admin.post("/console/apps/" + id + "/keys/" + secondId + "/revoke", Map.of());
    assertThat(revoked.statusCode()).isEqualTo(200);
    assertThat(revoked.body()).contains("is revoked");
    assertThat(v1Models(second)).isEqualTo(401);
    HttpResponse<String> issued = admin.post("/console/apps/" + id + "/keys", Map.of());
    assertThat(v1Models(newKey(issued))).isEqualTo(200);
    assertThat(typesSince(before)).containsExactly("app.created", "app.updated", "key.rotated", "key.revoked", "key.issued");
  }

  @Test
  void anInvalidPolicyShowsEveryProblemAndSavesNothing() throws Exception {
    ConsoleClient admin = signedIn(Role.ADMIN);
    admin.get("/console/policy");
    PolicyStore store = app.server.getApplicationContext().getBean(PolicyStore.class);
    int before = app.auditCount();
    String yaml = "format: airlock.policy/v1\nname: broken\nrules:\n  - id: x\n    kind: license\n    verdict: MAYBE\n";
    HttpResponse<String> r = admin.post("/console/policy", Map.of("yaml", yaml));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("The policy was not saved").contains("id=\"policy-problems\"")
        .contains("rules[0]").contains("Line 6").contains("verdict: MAYBE");
    assertThat(store.versions("broken")).isEmpty();
    assertThat(app.auditCount()).isEqualTo(before);

    String adminToken = sessionToken(Role.ADMIN);
    HttpResponse<String> json = call(adminToken, "POST", "/admin/policy", "application/yaml", yaml);
    assertThat(json.statusCode()).isEqualTo(400);
    JsonNode err = JSON.readTree(json.body()).path("error");
    assertThat(err.path("code").asText()).isEqualTo("invalid_policy");
    assertThat(err.path("problems").findValuesAsText("path")).anyMatch(path -> path.startsWith("rules[0]"));
    HttpResponse<String> asJson = call(adminToken, "POST", "/admin/policy", "application/json", "{}");
    assertThat(asJson.statusCode()).isEqualTo(415);
    assertThat(store.versions("broken")).isEmpty();
  }

  @Test
  void aNewVersionShowsItsDiffAndReevaluationThenActivationMakesItActive() throws Exception {
    Vault vault = app.server.getApplicationContext().getBean(Vault.class);
    String versionId = approvedModel(vault, "policy-model");
    ConsoleClient admin = signedIn(Role.ADMIN);
    ConsoleClient dpo = signedIn(Role.DPO);
    String adminToken = sessionToken(Role.ADMIN);
    admin.get("/console/policy?pack=enterprise-default");
    String v1 = PolicyFile.pack("enterprise-default").source();
    int before = app.auditCount();
    HttpResponse<String> saved = admin.post("/console/policy", Map.of("yaml", v1));
    assertThat(saved.statusCode()).isEqualTo(200);
    assertThat(saved.body()).contains("Saved enterprise-default version 1").contains("Propose activating version 1")
        .contains("No policy is active yet");
    assertThat(admin.post("/console/policy/activate", Map.of("name", "enterprise-default", "version", "1")).body())
        .contains("Proposed: Activate policy enterprise-default version 1").contains("until then nothing changes");
    assertThat(admin.get("/console/policy").body()).doesNotContain("Active: enterprise-default version 1");
    assertThat(confirmNewest(dpo).body()).contains("Confirmed and done: Activate policy enterprise-default version 1");
    HttpResponse<String> page = admin.get("/console/policy");
    assertThat(page.body()).contains("Active: enterprise-default version 1").contains("review-missing-sbom")
        .contains("eu-public-sector").contains("permissive-only").contains("by user:admin").contains("confirmed by user:dpo");

    String v2 = v1.replace("    kind: sbom-required\n    verdict: REVIEW", "    kind: sbom-required\n    verdict: DENY")
        .replace("  - id: review-hardware-fit", "  - id: deny-wtfpl\n    description: No WTFPL.\n    kind: license\n"
            + "    ids: [WTFPL]\n    verdict: DENY\n    how_to_fix: Pick another model.\n\n  - id: review-hardware-fit-gone");
    v2 = v2.substring(0, v2.indexOf("  - id: review-hardware-fit-gone"));
    assertThat(v2).contains("verdict: DENY\n    how_to_fix: Create the bundle with an SPDX");
    HttpResponse<String> preview = admin.post("/console/policy", Map.of("yaml", v2));
    assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
    assertThat(preview.body()).contains("Saved enterprise-default version 2");
    String added = section(preview.body(), "diff-added");
    assertThat(added).contains("deny-wtfpl");
    assertThat(section(preview.body(), "diff-removed")).contains("review-hardware-fit");
    assertThat(section(preview.body(), "diff-changed")).contains("review-missing-sbom").contains("verdict");
    String reeval = section(preview.body(), "reevaluation");
    assertThat(reeval).contains("policy-model@1.0").contains("changes").contains("DENY");
    assertThat(preview.body()).contains("id=\"regressions\"");

    HttpResponse<String> json = call(adminToken, "GET", "/admin/policy/enterprise-default/versions/2", null, null);
    JsonNode p = JSON.readTree(json.body());
    assertThat(p.path("diff").path("changed").get(0).path("verdictAfter").asText()).isEqualTo("DENY");
    JsonNode model = p.path("reevaluation").path("models").get(0);
    assertThat(model.path("versionId").asText()).isEqualTo(versionId);
    assertThat(model.path("verdictAfter").asText()).isEqualTo("DENY");
    assertThat(p.path("reevaluation").path("regressions").get(0).path("model").asText()).isEqualTo("policy-model@1.0");

    HttpResponse<String> activated = admin.post("/console/policy/activate", Map.of("name", "enterprise-default", "version", "2"));
    assertThat(activated.body()).contains("Activate policy enterprise-default version 2 (replacing enterprise-default@1)")
        .contains("1 rule(s) added, 1 removed, 1 changed; 1 approved model(s) judged more strictly");
    assertThat(vault.catalog().find(versionId).orElseThrow().state()).as("a proposal changes nothing")
        .isEqualTo(LifecycleState.APPROVED);
    assertThat(confirmNewest(dpo).body()).contains("Confirmed and done");
    // Judged DENY by the new version: suspended in the confirming transaction, then reviewed again.
    assertThat(vault.catalog().history(versionId)).extracting(e -> e.to().name()).endsWith("SUSPENDED", "DENIED");
    assertThat(JSON.readTree(call(adminToken, "GET", "/admin/policy", null, null).body())
        .path("active").path("version").asInt()).isEqualTo(2);
    assertThat(admin.post("/console/policy/activate", Map.of("name", "enterprise-default", "version", "2")).statusCode())
        .isEqualTo(409);
    List<ObjectNode> records = app.auditRecordsSince(before);
    assertThat(records.stream().map(n -> n.path("type").asText()).toList())
        .containsExactly("policy.saved", "change.proposed", "policy.activated", "policy.saved", "change.proposed",
            "policy.activated", "model.suspended", "model.reviewed");
    assertThat(records.get(5).path("fields").path("previousVersion").asText()).isEqualTo("1");
    assertThat(records.get(5).path("actor").asText()).startsWith("user:dpo");
    assertThat(records.get(5).path("payload").path("proposedBy").asText()).startsWith("admin");
    assertThat(records.get(5).path("payload").path("confirmedBy").asText()).startsWith("dpo");
    assertThat(records.get(6).path("payload").path("reason").asText()).startsWith("policy enterprise-default version 2"
        + " judges it worse (");
  }

  @Test
  void theOrganizationProfileIsSavedOnThePolicyPageAndActivatedOnceADpoConfirms() throws Exception {
    ConsoleClient admin = signedIn(Role.ADMIN);
    ConsoleClient dpo = signedIn(Role.DPO);
    HttpResponse<String> page = admin.get("/console/policy");
    assertThat(page.body()).contains("id=\"org-profile\"").contains("monthly_active_users: 5000");

    HttpResponse<String> bad = admin.post("/console/policy/profile", Map.of("profile", "users: 5"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("The organization profile: unknown key(s) [users]; expected only [commercial_use,"
        + " eu_domiciled, monthly_active_users, multimodal_use].");

    HttpResponse<String> saved = admin.post("/console/policy/profile",
        Map.of("profile", "monthly_active_users: 800000000\ncommercial_use: true\n"));
    assertThat(saved.statusCode()).isEqualTo(200);
    int version = app.server.getApplicationContext().getBean(dev.airlock.server.policy.OrgProfiles.class).versions()
        .getLast().version();
    assertThat(saved.body()).contains("Saved organization profile version " + version + ". It judges nothing until"
        + " activated;");
    HttpResponse<String> proposed = admin.post("/console/policy/profile/activate", Map.of("version", "" + version));
    assertThat(proposed.body()).contains("Proposed: Activate organization profile version " + version);
    assertThat(admin.get("/console/policy").body()).contains("No profile is active");

    assertThat(confirmNewest(dpo).body()).contains("Confirmed and done: Activate organization profile version " + version);
    assertThat(admin.get("/console/policy").body()).contains("Active: version " + version + ", proposed by user:");
  }

  @Test
  void theJsonPolicyRouteSavesYamlAndActivates() throws Exception {
    String yaml = PolicyFile.pack("permissive-only").source().replace("name: permissive-only", "name: json-policy");
    String adminToken = sessionToken(Role.ADMIN);
    HttpResponse<String> r = call(adminToken, "POST", "/admin/policy", "text/yaml", yaml);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("policy").path("version").asInt()).isEqualTo(1);
    assertThat(body.path("reevaluation").has("models")).isTrue();
    HttpResponse<String> same = call(adminToken, "POST", "/admin/policy", "text/yaml", yaml);
    assertThat(same.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(same.body()).path("created").asBoolean()).isFalse();
    assertThat(call(adminToken, "POST", "/admin/policy/json-policy/versions/7/activate", null, null)
        .statusCode()).isEqualTo(404);

    HttpResponse<String> proposed = call(adminToken, "POST", "/admin/policy/json-policy/versions/1/activate", null, null);
    assertThat(proposed.statusCode()).as(proposed.body()).isEqualTo(202);
    JsonNode change = JSON.readTree(proposed.body()).path("change");
    assertThat(change.path("kind").asText()).isEqualTo("policy.activation");
    assertThat(change.path("state").asText()).isEqualTo("PENDING");
    assertThat(JSON.readTree(call(adminToken, "GET", "/admin/policy", null, null).body()).path("active").path("name").asText())
        .isNotEqualTo("json-policy");
    HttpResponse<String> confirmed = call(sessionToken(Role.DPO), "POST", "/admin/changes/" + change.path("id").asText()
        + "/confirm", null, null);
    assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
    assertThat(JSON.readTree(confirmed.body()).path("state").asText()).isEqualTo("CONFIRMED");
    assertThat(JSON.readTree(call(adminToken, "GET", "/admin/policy", null, null).body()).path("active").path("name").asText())
        .isEqualTo("json-policy");
  }

  @Test
  void trustAddRefusesABadPemAndRevokeFlagsTheModelsTheKeySigned() throws Exception {
    Vault vault = app.server.getApplicationContext().getBean(Vault.class);
    ConsoleClient admin = signedIn(Role.ADMIN);
    ConsoleClient dpo = signedIn(Role.DPO);
    String adminToken = sessionToken(Role.ADMIN);
    String dpoToken = sessionToken(Role.DPO);
    HttpResponse<String> page = admin.get("/console/trust");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("org-transfer").contains("transfer");
    int before = app.auditCount();
    HttpResponse<String> bad = admin.post("/console/trust", Map.of("name", "partner", "role", "publisher",
        "pem", "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("The pasted key").contains("partner");
    HttpResponse<String> notPem = admin.post("/console/trust", Map.of("name", "partner", "role", "publisher", "pem", "hello"));
    assertThat(notPem.statusCode()).isEqualTo(400);
    assertThat(notPem.body()).contains("no public key found; expected a PEM block");
    assertThat(vault.trust().find("partner")).isEmpty();
    assertThat(app.auditCount()).isEqualTo(before);

    String pem = VerifyingKey.canonicalPem(SigningKey.generate(Curve.P256).verifyingKey().publicKey());
    HttpResponse<String> added = admin.post("/console/trust", Map.of("name", "partner", "role", "publisher", "pem", pem));
    assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
    assertThat(added.body()).contains("Proposed: Trust the key &#39;partner&#39;").contains("for publisher");
    assertThat(vault.trust().find("partner")).isEmpty();
    assertThat(confirmNewest(dpo).body()).contains("Confirmed and done: Trust the key &#39;partner&#39;");
    assertThat(vault.trust().find("partner").orElseThrow().role()).isEqualTo(TrustRole.PUBLISHER);
    assertThat(admin.post("/console/trust", Map.of("name", "partner-2", "role", "publisher", "pem", pem)).body())
        .contains("already trusted for publisher as &#39;partner&#39;");

    // a second transfer key signs a model, then is revoked: the model is flagged
    SigningKey second = SigningKey.generate(Curve.P256);
    HttpResponse<String> viaJson = call(adminToken, "POST", "/admin/trust", "application/json",
        JSON.writeValueAsString(Map.of("name", "courier", "role", "transfer",
            "pem", VerifyingKey.canonicalPem(second.verifyingKey().publicKey()))));
    assertThat(viaJson.statusCode()).as(viaJson.body()).isEqualTo(202);
    JsonNode change = JSON.readTree(viaJson.body()).path("change");
    assertThat(change.path("details").path("fingerprint").asText()).startsWith("sha256:");
    assertThat(call(dpoToken, "POST", "/admin/changes/" + change.path("id").asText() + "/confirm", null, null)
        .statusCode()).isEqualTo(200);
    String versionId = importModel(vault, "courier-model", second).version().id();
    String fp = vault.trust().find("courier").orElseThrow().fingerprint().hex();
    HttpResponse<String> noReason = admin.post("/console/trust/revoke", Map.of("fingerprint", fp, "reason", " "));
    assertThat(noReason.statusCode()).isEqualTo(400);
    assertThat(noReason.body()).contains("Say why the key is revoked");
    HttpResponse<String> revoked = admin.post("/console/trust/revoke", Map.of("fingerprint", fp, "reason", "courier laptop lost"));
    assertThat(revoked.statusCode()).isEqualTo(200);
    assertThat(revoked.body()).contains("Revoked &#39;courier&#39;").contains("1 model version it vouched for is flagged");
    assertThat(vault.catalog().find(versionId).orElseThrow().flag()).isPresent();
    assertThat(admin.post("/console/trust/revoke", Map.of("fingerprint", fp, "reason", "again")).statusCode()).isEqualTo(409);
    JsonNode listed = JSON.readTree(call(adminToken, "GET", "/admin/trust", null, null).body()).path("data");
    assertThat(listed.findValuesAsText("name")).contains("org-transfer", "partner", "courier");
    assertThat(typesSince(before)).containsExactly("change.proposed", "trust.added", "change.proposed", "trust.added",
        "trust.revoked");
    assertThat(app.auditRecordsSince(before).get(4).path("fields").path("modelsToFlag").asText()).isEqualTo("1");
  }

  @Test
  void dpoAndAuditorAreRefusedEveryOperatorPageAndRoute() throws Exception {
    for (Role role : List.of(Role.DPO, Role.AUDITOR)) {
      ConsoleClient b = signedIn(role);
      for (String path : List.of("/console/apps", "/console/policy", "/console/trust")) {
        assertThat(b.get(path).statusCode()).as(role + " GET " + path).isEqualTo(403);
      }
      b.get("/console");
      for (String path : List.of("/console/apps", "/console/policy", "/console/policy/activate", "/console/trust",
          "/console/trust/revoke")) {
        assertThat(b.post(path, Map.of("name", "x")).statusCode()).as(role + " POST " + path).isEqualTo(403);
      }
      String token = sessionToken(role);
      for (String path : List.of("/admin/apps", "/admin/policy", "/admin/trust")) {
        assertThat(call(token, "GET", path, null, null).statusCode()).as(role + " GET " + path).isEqualTo(403);
      }
      assertThat(call(token, "POST", "/admin/apps", "application/json", "{\"name\":\"x\"}").statusCode()).isEqualTo(403);
      assertThat(call(token, "POST", "/admin/policy", "application/yaml", "name: x").statusCode()).isEqualTo(403);
      assertThat(call(token, "POST", "/admin/trust/revoke", "application/json", "{\"key\":\"org-transfer\",\"reason\":\"x\"}")
          .statusCode()).isEqualTo(403);
    }
    String adminToken = sessionToken(Role.ADMIN);
    assertThat(call(adminToken, "GET", "/admin/trust", null, null).statusCode()).isEqualTo(200);
    assertThat(call(adminToken, "GET", "/admin/policy", null, null).statusCode()).isEqualTo(200);
    assertThat(call(adminToken, "GET", "/admin/apps", null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void formPostsWithoutTheCsrfTokenAreRefusedAndChangeNothing() throws Exception {
    ConsoleClient admin = signedIn(Role.ADMIN);
    admin.get("/console/apps");
    int before = app.auditCount();
    assertThat(admin.postRaw("/console/apps", Map.of("name", "forged-app")).statusCode()).isEqualTo(403);
    assertThat(admin.postRaw("/console/policy", Map.of("yaml", PolicyFile.pack("permissive-only").source())).statusCode())
        .isEqualTo(403);
    assertThat(admin.postRaw("/console/trust/revoke", Map.of("fingerprint", "org-transfer", "reason", "forged")).statusCode())
        .isEqualTo(403);
    assertThat(admin.postRaw("/console/trust", Map.of("name", "forged", "role", "transfer", "pem", "x")).statusCode())
        .isEqualTo(403);
    assertThat(app.auditCount()).isEqualTo(before);
    assertThat(admin.get("/console/apps").body()).doesNotContain("forged-app");
    Vault vault = app.server.getApplicationContext().getBean(Vault.class);
    assertThat(vault.trust().find("org-transfer").orElseThrow().isRevoked()).isFalse();
  }

  /** The HTML of the element with this id, up to its table's or block's end. */
  static String section(String html, String id) {
    int start = html.indexOf("id=\"" + id + "\"");
    assertThat(start).as("element " + id + " on the page").isGreaterThanOrEqualTo(0);
    int end = html.indexOf("</table>", start);
    return html.substring(start, end < 0 ? html.length() : end);
  }

  static ImportResult importModel(Vault vault, String name, SigningKey key) throws Exception {
    Path model = Files.createDirectories(dir.resolve("model-" + name));
    Files.writeString(model.resolve("config.json"), "{\"model_type\":\"llama\"}");
    Files.writeString(model.resolve("LICENSE"), "Apache License\nVersion 2.0, January 2004\n");
    Path out = dir.resolve(name + ".tar");
    try (OutputStream o = Files.newOutputStream(out)) {
      BundleWriter.write(model, Optional.empty(), new BundleWriter.Description(name, "1.0", "Example Labs", "FR",
          Optional.empty()), key, Clock.systemUTC(), o, Progress.NONE);
    }
    return vault.importBundle(out, "test", Progress.NONE);
  }

  static String approvedModel(Vault vault, String name) throws Exception {
    String id = importModel(vault, name, transferKey).version().id();
    vault.catalog().transition(id, LifecycleState.UNDER_REVIEW, "test", Optional.empty());
    vault.catalog().transition(id, LifecycleState.APPROVED, "test", Optional.of("approved for the test"));
    return id;
  }
}
