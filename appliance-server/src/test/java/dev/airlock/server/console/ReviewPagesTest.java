package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.server.api.ReviewStand;
import dev.airlock.server.auth.Role;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The DPO's review pages: queue, model page with lineage graph, decisions with four eyes, the approval record. */
class ReviewPagesTest {
  private static final String WHY = "Apache-2.0; attribution kept in the product notice.";

  @TempDir static Path dir;
  static ReviewStand stand;
  static String importerToken;

  @BeforeAll
  static void start() throws Exception {
    stand = ReviewStand.start(dir);
    stand.user("ivy", EnumSet.of(Role.ADMIN));
    stand.user("ines", EnumSet.of(Role.ADMIN));
    stand.user("dora", Set.of(Role.DPO));
    stand.user("dan", Set.of(Role.DPO));
    stand.user("adam", Set.of(Role.ADMIN));
    importerToken = stand.token("ivy");
  }

  @AfterAll
  static void stop() {
    stand.close();
  }

  static ConsoleClient signedIn(String username) throws Exception {
    ConsoleClient c = new ConsoleClient(stand.app.url("/"));
    assertThat(c.signIn(username, ReviewStand.password(username)).statusCode()).isEqualTo(303);
    return c;
  }

  static JsonNode detail(String id) throws Exception {
    HttpResponse<String> r = stand.send("GET", "/admin/reviews/" + id, Optional.of(stand.token("dora")), null);
    return ReviewStand.JSON.readTree(r.body());
  }

  static List<ObjectNode> records(String type, String versionId) throws Exception {
    return stand.records(type).stream().filter(r -> r.at("/fields/versionId").asText().equals(versionId)).toList();
  }

  @Test
  void aDeniedModelIsReviewedAgainFromItsPageAndAnApprovedOneIsNot() throws Exception {
    JsonNode imported = stand.importModel("again-page", "US", importerToken);
    String id = imported.get("versionId").asText();
    ConsoleClient dora = signedIn("dora");
    dora.get("/console/reviews/" + id);
    HttpResponse<String> rejected = dora.post("/console/reviews/" + id + "/reject",
        Map.of("justification", "Not for this appliance, for now."));
    assertThat(rejected.body()).contains("Rejected");
    HttpResponse<String> page = dora.get("/console/reviews/" + id);
    assertThat(page.body()).contains("id=\"review-again\"").contains("Review again");

    HttpResponse<String> again = dora.post("/console/reviews/" + id + "/review", Map.of());
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).contains("Reviewed again (review 2): ALLOW by policy enterprise-default version 1;"
        + " earlier approvals do not count for it.");
    assertThat(detail(id).path("state").asText()).isEqualTo("UNDER_REVIEW");
    assertThat(records("model.reviewed", id)).hasSize(2);
    assertThat(records("model.reviewed", id).get(1).path("actor").asText()).isEqualTo("user:dora");

    // An approved model is past review: no button, and the route refuses with the reason.
    assertThat(dora.get("/console/reviews/" + id).body()).contains("id=\"review-again\"");
    for (String dpo : List.of("dora", "dan")) {
      ConsoleClient c = signedIn(dpo);
      c.get("/console/reviews/" + id);
      assertThat(c.post("/console/reviews/" + id + "/approve", Map.of("justification", WHY)).statusCode()).isEqualTo(200);
    }
    assertThat(dora.get("/console/reviews/" + id).body()).doesNotContain("id=\"review-again\"");
    HttpResponse<String> past = dora.post("/console/reviews/" + id + "/review", Map.of());
    assertThat(past.statusCode()).isEqualTo(409);
    assertThat(past.body()).contains("Not reviewed again: again-page 1.0 is APPROVED");
  }

  @Test
  void queueAndModelPageShowProvenanceLicenseAndTheVerdictTrace() throws Exception {
    JsonNode imported = stand.importModel("qwen3-page", "US", importerToken);
    String id = imported.get("versionId").asText();
    ConsoleClient dora = signedIn("dora");

    HttpResponse<String> queue = dora.get("/console/reviews");
    assertThat(queue.statusCode()).isEqualTo(200);
    assertThat(queue.body()).contains("href=\"/console/reviews/" + id + "\"").contains("qwen3-page 1.0")
        .contains("<span class=\"badge allow\">ALLOW</span>").contains("0 of 2").contains("ivy");

    HttpResponse<String> page = dora.get("/console/reviews/" + id);
    assertThat(page.statusCode()).isEqualTo(200);
    JsonNode d = detail(id);
    assertThat(page.body())
        .contains("Provenance").contains(imported.get("bundleId").asText()).contains("Example Labs").contains("org-transfer")
        .contains(d.at("/provenance/transferSignature/fingerprint").asText())
        .contains("model/model.gguf").contains(d.get("files").get(0).get("sha256").asText())
        .contains("Apache-2.0").contains("<img class=\"lineage\" src=\"/console/reviews/" + id + "/lineage.svg\"")
        .contains("enterprise-default").contains("GGUF")
        .contains("Embedded engine (CPU): fits").contains("vLLM (GPU): no GPUs are configured")
        .contains("0 of 2").contains("At least 10 characters; it goes into the audit log and the approval record.")
        .contains("formaction=\"/console/reviews/" + id + "/approve\"").contains("action=\"/console/reviews/" + id + "/reject\"")
        .doesNotContain(" style=").doesNotContain("<script");
    for (JsonNode rule : d.at("/review/evaluation/rules")) assertThat(page.body()).contains(rule.get("id").asText());

    HttpResponse<String> svg = dora.get("/console/reviews/" + id + "/lineage.svg");
    assertThat(svg.statusCode()).isEqualTo(200);
    assertThat(svg.headers().firstValue("content-type").orElseThrow()).startsWith("image/svg+xml");
    Document doc = xml(svg.body());
    assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
    assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title").item(0).getTextContent())
        .isEqualTo("License lineage of qwen3-page 1.0");
    assertThat(svg.body()).contains("Apache-2.0").doesNotContain(" style=").doesNotContain("<style").doesNotContain("<script");
    assertThat(dora.get("/console/reviews/no-such-version").statusCode()).isEqualTo(404);
  }

  @Test
  void theLineageGraphDrawsBaseModelsWithTheirLicenses() throws Exception {
    String id = stand.importModel("legal-assistant", "US", importerToken, ReviewStand.FIXTURES.resolve("llama31-finetune"))
        .get("versionId").asText();
    ConsoleClient dora = signedIn("dora");
    HttpResponse<String> svg = dora.get("/console/reviews/" + id + "/lineage.svg");
    Document doc = xml(svg.body());
    String desc = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "desc").item(0).getTextContent();
    assertThat(desc).contains("finetune of meta-llama/Llama-3.1-8B-Instruct");
    assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect").getLength()).isEqualTo(3);
    assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "line").getLength()).isEqualTo(1);
    HttpResponse<String> page = dora.get("/console/reviews/" + id);
    assertThat(page.body()).contains("finetune of meta-llama/Llama-3.1-8B-Instruct")
        .contains("monthly active users above 700,000,000").contains("field of use");
    assertThat(desc).contains("licensed Llama 3.1 Community License Agreement, Apache-2.0.");
  }

  @Test
  void twoDposApproveAfterTheImporterAndAnEmptyJustificationAreRefused() throws Exception {
    // ines imports it as an ADMIN and is later made a DPO: she still may not approve what she imported.
    String id = stand.importModel("qwen3-four-eyes", "US", stand.token("ines")).get("versionId").asText();
    stand.becomeDpo("ines", "adam", "dan");
    String path = "/console/reviews/" + id;

    ConsoleClient dora = signedIn("dora");
    dora.get(path);
    HttpResponse<String> tooShort = dora.post(path + "/approve", Map.of("justification", "ok fine"));
    assertThat(tooShort.statusCode()).isEqualTo(400);
    assertThat(tooShort.body()).contains("class=\"error\"").contains("at least 10 characters").contains(">ok fine</textarea>");

    ConsoleClient ines = signedIn("ines");
    ines.get(path);
    HttpResponse<String> own = ines.post(path + "/approve", Map.of("justification", WHY));
    assertThat(own.statusCode()).isEqualTo(409);
    assertThat(own.body()).contains("class=\"error\"").contains("ines imported qwen3-four-eyes 1.0 and so cannot approve it")
        .contains(WHY + "</textarea>");

    HttpResponse<String> first = dora.post(path + "/approve", Map.of("justification", WHY));
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).contains("class=\"notice\"")
        .contains("Approved (1 of 2). A second DPO must approve before it can be activated.");
    assertThat(records("model.approval_recorded", id)).singleElement()
        .satisfies(r -> assertThat(r.get("actor").asText()).isEqualTo("user:dora"));
    HttpResponse<String> again = dora.post(path + "/approve", Map.of("justification", WHY));
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body()).contains("a further approval must come from a different DPO");

    ConsoleClient dan = signedIn("dan");
    dan.get(path);
    HttpResponse<String> second = dan.post(path + "/approve", Map.of("justification", "Second look: " + WHY));
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.body()).contains("Approved (2 of 2): the model can now be activated by an operator.")
        .contains("APPROVED").doesNotContain("formaction=\"" + path + "/approve\"");
    assertThat(records("model.approved", id)).singleElement().satisfies(r -> {
      assertThat(r.get("actor").asText()).isEqualTo("user:dan");
      assertThat(r.at("/fields/state").asText()).isEqualTo("APPROVED");
    });
    assertThat(dan.get("/console/reviews").body()).contains("Recently decided").contains("qwen3-four-eyes 1.0");

    ConsoleClient adam = signedIn("adam");
    HttpResponse<String> record = adam.get(path + "/record");
    assertThat(record.statusCode()).isEqualTo(200);
    assertThat(record.body()).contains("Approval record: qwen3-four-eyes 1.0").contains("Print")
        .contains("dora").contains(WHY).contains("dan").contains("Second look: " + WHY)
        .contains("enterprise-default").contains("APPROVED").contains("org-transfer")
        .contains(detail(id).at("/provenance/manifestSha256").asText()).contains("printed on");
    for (JsonNode f : detail(id).get("files")) {
      assertThat(record.body()).contains(f.get("sha256").asText() + "</code>")
          .contains(">" + String.format(java.util.Locale.ROOT, "%,d", f.get("size").asLong()) + "<");
    }
    assertThat(adam.get(path).statusCode()).as("the model page is for DPOs").isEqualTo(403);
  }

  @Test
  void aDenyVerdictHasNoApproveButtonAndAForgedApprovalIsRefused() throws Exception {
    String id = stand.importModel("ru-page", "RU", importerToken).get("versionId").asText();
    String path = "/console/reviews/" + id;
    ConsoleClient dora = signedIn("dora");
    HttpResponse<String> page = dora.get(path);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<span class=\"badge deny\">DENY</span>").contains("deny-sanctioned-origin")
        .contains("class=\"deciding\"").doesNotContain("/approve\"").doesNotContain(">Approve</button>");
    HttpResponse<String> forged = dora.post(path + "/approve", Map.of("justification", WHY));
    assertThat(forged.statusCode()).isEqualTo(409);
    assertThat(forged.body()).contains("a DENY verdict can never be approved");
    assertThat(records("model.approval_recorded", id)).isEmpty();
  }

  @Test
  void oneRejectionDeniesTheModel() throws Exception {
    String id = stand.importModel("qwen3-rejected-page", "US", importerToken).get("versionId").asText();
    String path = "/console/reviews/" + id;
    ConsoleClient dan = signedIn("dan");
    dan.get(path);
    HttpResponse<String> r = dan.post(path + "/reject", Map.of("justification", "No team needs this model."));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("Rejected: the model is denied").contains("No team needs this model.");
    assertThat(records("model.rejected", id)).singleElement()
        .satisfies(x -> assertThat(x.get("actor").asText()).isEqualTo("user:dan"));
  }

  static Document xml(String body) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
  }
}
