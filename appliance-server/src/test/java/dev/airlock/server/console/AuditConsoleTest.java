package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.audit.AuditExport;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditRecord;
import dev.airlock.audit.index.AuditIndex;
import dev.airlock.audit.note.NoteVerifier;
import dev.airlock.server.auditing.AuditSearch;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
import dev.airlock.server.changes.People;
import dev.airlock.server.gateway.TestAppliance;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * The security analyst's audit pages, the erasure page and their JSON API against a running
 * server whose audit log holds real gateway traffic (chat completions through /v1 to the vLLM
 * stand-in).
 */
class AuditConsoleTest {
  @TempDir static Path dir;
  static TestAppliance app;
  static Users users;
  static String appKey;
  static String requestId;
  static final ObjectMapper JSON = new ObjectMapper();
  static final String PROMPT = "Summarise the incident report for ticket 4711";

  @BeforeAll
  static void start() throws Exception {
    app = TestAppliance.start(dir, List.of(), Map.of());
    app.activateVllm("tiny-chat", Files.createDirectories(dir.resolve("vault/tiny-chat")), 1, List.of());
    appKey = app.createApp("crm", List.of("tiny-chat"), Map.of("subjectHeader", "x-end-user"))
        .path("key").path("secret").asText();
    app.awaitHealthy("tiny-chat", 1);
    users = app.server.getApplicationContext().getBean(Users.class);
    person("ann", Role.AUDITOR);
    person("dora", Role.DPO);
    person("dave", Role.DPO);
    person("adam", Role.ADMIN);
    HttpResponse<String> chat = chat("carol", PROMPT);
    assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
    requestId = chat.headers().firstValue("x-request-id").orElseThrow();
    awaitIndex();
  }

  @AfterAll
  static void stop() {
    if (app != null) app.close();
  }

  static void person(String name, Role role) {
    People.withPassword(app.server.getApplicationContext(), name, name, EnumSet.of(role), password(name));
  }

  static String password(String name) {
    return name + "-long-passphrase";
  }

  static ConsoleClient signedIn(String name) throws Exception {
    ConsoleClient b = new ConsoleClient(app.url("/"));
    assertThat(b.signIn(name, password(name)).statusCode()).isEqualTo(303);
    return b;
  }

  static HttpResponse<String> chat(String subject, String prompt) throws Exception {
    String body = JSON.writeValueAsString(Map.of("model", "tiny-chat", "user", subject,
        "messages", List.of(Map.of("role", "user", "content", prompt))));
    return app.http.send(HttpRequest.newBuilder(app.url("/v1/chat/completions"))
        .header("authorization", "Bearer " + appKey).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static void awaitIndex() throws InterruptedException {
    assertThat(app.server.getApplicationContext().getBean(AuditIndex.class).awaitCaughtUp(Duration.ofSeconds(30)))
        .isTrue();
  }

  static AuditLog log() {
    return app.auditLog();
  }

  /** The record indexes the search page links to, in page order. */
  static List<Long> recordLinks(String html) {
    Matcher m = Pattern.compile("href=\"/console/audit/records/(\\d+)\"").matcher(html);
    List<Long> out = new java.util.ArrayList<>();
    while (m.find()) out.add(Long.parseLong(m.group(1)));
    return out;
  }

  static long requestRecordIndex(String subjectRequestId) throws Exception {
    for (long i = log().size() - 1; i >= 0; i--) {
      AuditRecord r = log().decrypt(i).orElse(null);
      if (r != null && r.type().equals("inference.request") && r.requestId().orElse("").equals(subjectRequestId)) {
        return i;
      }
    }
    throw new AssertionError("no inference.request record for " + subjectRequestId);
  }

  @Test
  void searchByModelAndByRequestIdFindsTheRequestMadeThroughV1() throws Exception {
    ConsoleClient b = signedIn("ann");
    long request = requestRecordIndex(requestId);
    HttpResponse<String> byModel = b.get("/console/audit?model=tiny-chat&type=inference.request");
    assertThat(byModel.statusCode()).isEqualTo(200);
    assertThat(byModel.body()).contains("<label for=\"f-from\">From (UTC, inclusive)").contains(requestId)
        .contains("Showing 1–");
    assertThat(recordLinks(byModel.body())).contains(request);

    HttpResponse<String> byId = b.get("/console/audit?requestId=" + requestId);
    List<Long> found = recordLinks(byId.body());
    assertThat(found).contains(request).hasSizeGreaterThanOrEqualTo(2); // the request and its response
    assertThat(found).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(byId.body()).contains("href=\"/console/audit/export?requestId=" + requestId + "\"");

    HttpResponse<String> none = b.get("/console/audit?model=no-such-model");
    assertThat(recordLinks(none.body())).isEmpty();
    assertThat(none.body()).contains("No entry matches");
  }

  @Test
  void theSearchItselfIsAnAuditRecordNamingTheViewer() throws Exception {
    ConsoleClient b = signedIn("ann");
    long before = log().size();
    assertThat(b.get("/console/audit?model=tiny-chat").statusCode()).isEqualTo(200);
    List<AuditRecord> searched = new java.util.ArrayList<>();
    for (long i = before; i < log().size(); i++) {
      AuditRecord r = log().decrypt(i).orElseThrow();
      if (r.type().equals(AuditSearch.TYPE_SEARCHED)) searched.add(r);
    }
    assertThat(searched).hasSize(1);
    assertThat(searched.get(0).actor().id()).isEqualTo("ann");
    assertThat(searched.get(0).indexFields()).containsEntry("model", "tiny-chat");
  }

  @Test
  void resultsArePagedWithTheCursorKeepingTheFilters() throws Exception {
    ConsoleClient b = signedIn("ann");
    for (int i = 0; i <= AuditController.PAGE_SIZE; i++) {
      assertThat(b.get("/console/audit?type=audit.viewed&page=1").statusCode()).isEqualTo(200);
      assertThat(b.get("/console/audit/records/0").statusCode()).isEqualTo(200);
    }
    awaitIndex();
    String first = b.get("/console/audit?type=audit.viewed").body();
    assertThat(recordLinks(first)).hasSize(AuditController.PAGE_SIZE);
    assertThat(first).contains("Showing 1–" + AuditController.PAGE_SIZE + " of the matching entries (page 1)");
    Matcher next = Pattern.compile("href=\"(/console/audit\\?type=audit.viewed&amp;cursor=[^\"]+&amp;page=2)\"")
        .matcher(first);
    assertThat(next.find()).as(first).isTrue();
    String second = b.get(next.group(1).replace("&amp;", "&")).body();
    assertThat(second).contains("Showing " + (AuditController.PAGE_SIZE + 1) + "–");
    List<Long> page1 = recordLinks(first);
    List<Long> page2 = recordLinks(second);
    assertThat(page2).isNotEmpty().allSatisfy(i -> assertThat(i).isLessThan(page1.get(page1.size() - 1)));
  }

  @Test
  void recordPageShowsTheDecryptedPromptAndAVerifiedProof() throws Exception {
    ConsoleClient b = signedIn("ann");
    long request = requestRecordIndex(requestId);
    HttpResponse<String> page = b.get("/console/audit/records/" + request);
    assertThat(page.statusCode()).isEqualTo(200);
    String html = page.body();
    assertThat(html).contains("id=\"record-content\"").contains("id=\"proof-status\"")
        .contains("Proof verified against the latest signed checkpoint").contains(PROMPT)
        .contains("carol").contains("Proof hashes");
    assertThat(html).doesNotContain("NOT verified");
    assertThat(b.get("/console/audit/records/" + (log().size() + 1000)).statusCode()).isEqualTo(404);
    assertThat(b.get("/console/audit/records/abc").statusCode()).isEqualTo(404);
  }

  @Test
  void untrustedContentIsShownAsTextNeverAsMarkup() throws Exception {
    HttpResponse<String> chat = chat("mallory", "<script>alert(1)</script><img src=x onerror=alert(2)>");
    assertThat(chat.statusCode()).isEqualTo(200);
    awaitIndex();
    long index = requestRecordIndex(chat.headers().firstValue("x-request-id").orElseThrow());
    String html = signedIn("ann").get("/console/audit/records/" + index).body();
    assertThat(html).doesNotContain("<script>alert(1)").doesNotContain("<img src=x")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;");
  }

  @Test
  void exportDownloadsAProvenFileTheVerifierAccepts() throws Exception {
    ConsoleClient b = signedIn("ann");
    HttpResponse<String> r = b.get("/console/audit/export?model=tiny-chat");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/jsonl");
    assertThat(r.headers().firstValue("content-disposition").orElseThrow())
        .matches("attachment; filename=airlock-audit-export-\\d{8}T\\d{6}Z\\.jsonl");
    AuditExport.Check check = AuditExport.verify(NoteVerifier.parse(log().verifierKey()), new StringReader(r.body()));
    assertThat(check.problem()).isEmpty();
    assertThat(check.proven()).isTrue();
    assertThat(check.entries()).isGreaterThanOrEqualTo(2);
    AuditRecord exported = log().decrypt(log().size() - 1).orElseThrow();
    assertThat(exported.type()).isEqualTo(AuditSearch.TYPE_EXPORTED);
    assertThat(exported.actor().id()).isEqualTo("ann");

    HttpResponse<String> bad = b.get("/console/audit/export?from=yesterday");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("&#39;from&#39; must be a UTC time like 2026-11-21T14:30:00Z");
  }

  @Test
  void chartsAreSvgImagesWithAlternativeText() throws Exception {
    ConsoleClient b = signedIn("ann");
    String html = b.get("/console/audit").body();
    assertThat(html).contains("<img class=\"chart\" src=\"/console/audit/charts/requests.svg?by=model&amp;from=")
        .contains("alt=\"Bar chart of requests per day by model").contains("tiny-chat");
    HttpResponse<String> svg = b.get("/console/audit/charts/requests.svg?by=model");
    assertThat(svg.statusCode()).isEqualTo(200);
    assertThat(svg.headers().firstValue("content-type").orElseThrow()).startsWith("image/svg+xml");
    assertThat(svg.headers().firstValue("content-security-policy")).isPresent();
    assertThat(svg.headers().firstValue("x-content-type-options")).contains("nosniff");
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.body().getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
    assertThat(svg.body()).contains("tiny-chat").doesNotContain("<script");
    HttpResponse<String> years = b.get("/console/audit?from=2020-01-01T00:00&to=2026-01-01T00:00");
    assertThat(years.statusCode()).isEqualTo(200);
    assertThat(years.body()).contains("No charts for this time range: a chart covers at most 366 days")
        .doesNotContain("<img class=\"chart\"");
    HttpResponse<String> wrong = b.get("/console/audit/charts/requests.svg?by=colour");
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(wrong.body()).contains("'by' must be 'model' or 'app'");
  }

  @Test
  void integrityPageShowsTheCheckpointAndVerifiesTheWholeLogOnDemand() throws Exception {
    ConsoleClient b = signedIn("ann");
    HttpResponse<String> page = b.get("/console/audit/integrity");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains(escape(log().verifierKey())).contains("airlock audit verify --data-dir")
        .contains("Verify the whole log now");
    HttpResponse<String> verified = b.post("/console/audit/integrity", Map.of());
    assertThat(verified.statusCode()).isEqualTo(200);
    assertThat(verified.body()).contains("The whole log verified:").contains("id=\"verification-status\"")
        .contains("passed");
    AuditRecord last = log().decrypt(log().size() - 1).orElseThrow();
    assertThat(last.type()).isEqualTo("audit.verified");
    assertThat(last.actor().id()).isEqualTo("ann");
  }

  @Test
  void erasureRequestedByAnAdminAndConfirmedByADpoLeavesAnErasedRecordWhoseProofStillHolds() throws Exception {
    HttpResponse<String> chat = chat("erin", "Erin's private question");
    assertThat(chat.statusCode()).isEqualTo(200);
    awaitIndex();
    long erinsRequest = requestRecordIndex(chat.headers().firstValue("x-request-id").orElseThrow());

    ConsoleClient admin = signedIn("adam");
    HttpResponse<String> page = admin.get("/console/erasures");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("cannot be undone").contains("proof");
    HttpResponse<String> requested = admin.post("/console/erasures", Map.of("subject", "erin", "reason", "ticket GDPR-17"));
    assertThat(requested.statusCode()).as(requested.body()).isEqualTo(200);
    assertThat(requested.body()).contains("Erasure of &#39;erin&#39; requested").contains("ticket GDPR-17");
    Matcher confirm = Pattern.compile("action=\"/console/erasures/([0-9a-f-]+)/confirm\"").matcher(
        signedIn("dora").get("/console/erasures").body());
    assertThat(confirm.find()).isTrue();
    String id = confirm.group(1);
    // an ADMIN may request but not confirm
    assertThat(admin.post("/console/erasures/" + id + "/confirm", Map.of()).statusCode()).isEqualTo(403);

    ConsoleClient dpo = signedIn("dora");
    dpo.get("/console/erasures");
    HttpResponse<String> done = dpo.post("/console/erasures/" + id + "/confirm", Map.of());
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    assertThat(done.body()).contains("Erased:").contains("data keys destroyed");

    HttpResponse<String> record = signedIn("ann").get("/console/audit/records/" + erinsRequest);
    assertThat(record.body()).contains("badge review\">erased").doesNotContain("Erin&#39;s private question")
        .contains("Proof verified against the latest signed checkpoint").contains("The erasure record (entry ");
  }

  @Test
  void theRequesterCannotConfirmTheirOwnErasure() throws Exception {
    ConsoleClient dora = signedIn("dora");
    dora.get("/console/erasures");
    HttpResponse<String> requested = dora.post("/console/erasures", Map.of("subject", "frank", "reason", "ticket 9"));
    assertThat(requested.statusCode()).isEqualTo(200);
    assertThat(requested.body()).contains("Your own request: another Data Protection Officer must confirm it.");
    String id = app.server.getApplicationContext().getBean(dev.airlock.server.auditing.ErasureRequests.class)
        .pending().stream().filter(r -> r.subject().orElse("").equals("frank")).findFirst().orElseThrow().id();
    HttpResponse<String> refused = dora.post("/console/erasures/" + id + "/confirm", Map.of());
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.body()).contains("a different person must confirm it (four eyes); nothing was erased");
    HttpResponse<String> empty = dora.post("/console/erasures", Map.of("subject", "", "reason", "x"));
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(empty.body()).contains("The subject to erase is required");
  }

  @Test
  void aDpoCannotOpenTheAuditLogAndAnAuditorCannotErase() throws Exception {
    ConsoleClient dpo = signedIn("dora");
    assertThat(dpo.get("/console/audit").statusCode()).isEqualTo(403);
    assertThat(dpo.get("/console/audit/records/0").statusCode()).isEqualTo(403);
    assertThat(signedIn("ann").get("/console/erasures").statusCode()).isEqualTo(403);
  }

  @Test
  void jsonApiSearchesReadsExportsAndCountsWithASessionToken() throws Exception {
    String token = sessionToken("ann");
    long request = requestRecordIndex(requestId);
    JsonNode page = api(token, "GET", "/admin/audit/records?model=tiny-chat&requestId=" + requestId + "&limit=1", null, 200);
    assertThat(page.path("data")).hasSize(1);
    assertThat(page.path("next").asText()).isNotEmpty();
    JsonNode second = api(token, "GET", "/admin/audit/records?requestId=" + requestId + "&limit=1&cursor="
        + URLEncoder.encode(page.path("next").asText(), StandardCharsets.UTF_8), null, 200);
    assertThat(second.path("data").get(0).path("index").asLong()).isLessThan(page.path("data").get(0).path("index").asLong());

    JsonNode record = api(token, "GET", "/admin/audit/records/" + request, null, 200);
    assertThat(record.at("/content/kind").asText()).isEqualTo("decrypted");
    assertThat(record.at("/content/payload").asText()).contains(PROMPT);
    assertThat(record.at("/proof/verified").asBoolean()).isTrue();

    JsonNode counts = api(token, "GET", "/admin/audit/charts/requests?by=model", null, 200);
    assertThat(counts.at("/totals/tiny-chat").asLong()).isGreaterThanOrEqualTo(1);
    JsonNode integrity = api(token, "GET", "/admin/audit/integrity", null, 200);
    assertThat(integrity.path("verifierKey").asText()).isEqualTo(log().verifierKey());
    JsonNode verified = api(token, "POST", "/admin/audit/verify", null, 200);
    assertThat(verified.path("ok").asBoolean()).isTrue();
    assertThat(verified.path("requestedBy").asText()).isEqualTo("ann");

    HttpResponse<String> export = app.http.send(HttpRequest.newBuilder(app.url("/admin/audit/export?requestId=" + requestId))
        .header("authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(export.statusCode()).isEqualTo(200);
    assertThat(AuditExport.verify(NoteVerifier.parse(log().verifierKey()), new StringReader(export.body())).ok()).isTrue();

    JsonNode bad = api(token, "GET", "/admin/audit/records?from=2026-12-01&to=2026-11-01", null, 400);
    assertThat(bad.at("/error/message").asText()).contains("the time range is empty");
    assertThat(api(token, "GET", "/admin/audit/records/999999", null, 404).at("/error/message").asText())
        .contains("is not in the audit log");
  }

  @Test
  void jsonApiErasuresNeedTwoDifferentPeople() throws Exception {
    String dora = sessionToken("dora");
    String dave = sessionToken("dave");
    JsonNode created = api(dora, "POST", "/admin/erasures", Map.of("subject", "gina", "reason", "ticket 12"), 201);
    String id = created.path("id").asText();
    assertThat(created.path("status").asText()).isEqualTo("PENDING");
    assertThat(api(dave, "GET", "/admin/erasures", null, 200).path("data").findValuesAsText("id")).contains(id);
    assertThat(api(dora, "POST", "/admin/erasures/" + id + "/confirm", null, 409).at("/error/message").asText())
        .contains("a different person must confirm it");
    assertThat(api(TestAppliance.OPERATOR_TOKEN, "POST", "/admin/erasures/" + id + "/confirm", null, 403)
        .at("/error/message").asText()).isEqualTo(Access.OPERATOR_TOKEN_REFUSED);
    JsonNode done = api(dave, "POST", "/admin/erasures/" + id + "/confirm", null, 200);
    assertThat(done.path("status").asText()).isEqualTo("DONE");
    assertThat(done.has("subject")).isFalse();
    assertThat(api(TestAppliance.OPERATOR_TOKEN, "POST", "/admin/erasures", Map.of("subject", "h", "reason", "r"), 403)
        .at("/error/code").asText()).isEqualTo("person_required");
    assertThat(api(dora, "GET", "/admin/erasures", null, 200).path("data").findValuesAsText("subject")).doesNotContain("h");
  }

  static String sessionToken(String name) throws Exception {
    return api(null, "POST", "/admin/session", Map.of("username", name, "password", password(name)), 201)
        .path("token").asText();
  }

  static JsonNode api(String token, String method, String path, Object body, int status) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(app.url(path)).method(method, body == null
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
        .header("content-type", "application/json");
    if (token != null) b.header("authorization", "Bearer " + token);
    HttpResponse<String> r = app.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
  }
}
