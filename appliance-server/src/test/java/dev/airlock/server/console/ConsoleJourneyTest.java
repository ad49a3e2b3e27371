package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.server.api.ReviewStand;
import dev.airlock.server.auth.Role;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The four roles' journey through the console in headless Chromium, on a real server with a real
 * signed bundle and the embedded llama.cpp engine: a DPO opens the model under review and approves
 * it with a justification, a second DPO approves, an operator activates it and gives an app a key,
 * the app chats through /v1, and a security analyst finds that request in the audit log with its
 * inclusion proof verified. Every page on the way passes the page rules (labels, one h1, no CSP
 * violation). With -Dairlock.screenshots=true it refreshes the screenshots in docs/screenshots.
 */
class ConsoleJourneyTest {
  @TempDir static Path dir;
  static ReviewStand stand;
  static String versionId;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    stand = ReviewStand.start(dir);
    stand.user("ivan", Set.of(Role.ADMIN));
    stand.user("dana", Set.of(Role.DPO));
    stand.user("dirk", Set.of(Role.DPO));
    stand.user("olga", Set.of(Role.ADMIN));
    stand.user("audrey", Set.of(Role.AUDITOR));
    JsonNode imported = stand.importModel("qwen3-support", "US", stand.token("ivan"));
    versionId = imported.get("versionId").asText();
    assertThat(imported.at("/review/state").asText()).isEqualTo("UNDER_REVIEW");
  }

  @AfterAll
  static void stop() {
    if (stand != null) stand.close();
  }

  @Test
  void twoDposApproveAnOperatorActivatesAndAnAnalystProvesTheRequest() throws Exception {
    // 1. The first DPO finds the model in the queue, reads it and approves it.
    try (Browser b = Browser.start(stand.app.url("/"))) {
      b.signIn("dana", ReviewStand.password("dana"));
      b.click("Model review");
      assertThat(b.h1()).isEqualTo("Model review");
      b.screenshot("reviews");
      b.click("qwen3-support 1.0");
      assertThat(b.path()).isEqualTo("/console/reviews/" + versionId);
      String page = b.textOf("main");
      assertThat(page).contains("Provenance").contains("Example Labs").contains("Apache-2.0")
          .contains("enterprise-default").contains("ALLOW");
      b.screenshot("review");
      b.fill("Justification", "Apache-2.0, publisher signature checked, origin US: fine for internal support.");
      b.click("Approve");
      assertThat(b.textOf(".notice")).contains("1 of 2");
      b.signOut();
    }
    // 2. A second DPO approves: four eyes.
    try (Browser b = Browser.start(stand.app.url("/"))) {
      b.signIn("dirk", ReviewStand.password("dirk"));
      b.open("/console/reviews/" + versionId);
      b.fill("Justification", "Second review: license obligations are met by our notice file.");
      b.click("Approve");
      assertThat(b.textOf(".notice")).containsIgnoringCase("can now be activated");
      b.open("/console/reviews/" + versionId + "/record");
      assertThat(b.textOf("main")).contains("dana").contains("dirk").contains("APPROVED");
      b.screenshot("approval-record");
      b.signOut();
    }
    // 3. An operator activates it on the embedded engine and gives an app a key.
    String key;
    try (Browser b = Browser.start(stand.app.url("/"))) {
      b.signIn("olga", ReviewStand.password("olga"));
      b.click("Models");
      b.fill("Serve as (model id)", "support-chat");
      new Select(b.driver().findElement(By.name("backend"))).selectByValue("embedded");
      b.click("Activate");
      assertThat(b.textOf(".notice")).contains("support-chat");
      b.screenshot("models");
      b.click("Apps");
      b.fill("Name", "helpdesk");
      b.fill("Grants", "support-chat");
      b.click("Add app and issue its key");
      key = b.textById("new-api-key").trim();
      assertThat(key).startsWith("alk_");
      b.screenshot("apps");
      stand.app.awaitHealthy("support-chat", 1);
      b.click("Backends");
      assertThat(b.textOf("main")).contains("support-chat");
      b.screenshot("backends");
      b.signOut();
    }
    // 4. The app chats through /v1 like any OpenAI client.
    HttpResponse<String> chat = stand.app.http.send(HttpRequest.newBuilder(stand.app.url("/v1/chat/completions"))
        .header("authorization", "Bearer " + key).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"support-chat\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
    String requestId = chat.headers().firstValue("x-request-id").orElseThrow();
    // 5. A security analyst finds that request and sees its inclusion proof verified.
    try (Browser b = Browser.start(stand.app.url("/"))) {
      b.signIn("audrey", ReviewStand.password("audrey"));
      b.click("Audit log");
      b.fill("f-request", requestId);
      b.click("Search");
      assertThat(b.textOf("main")).contains("inference.request").contains("support-chat");
      b.screenshot("audit-search");
      List<WebElement> rows = b.driver().findElements(By.cssSelector("main table.grid tbody tr"));
      WebElement request = rows.stream().filter(r -> r.getText().contains("inference.request")).findFirst().orElseThrow();
      b.click(request.findElement(By.tagName("a")).getText());
      assertThat(b.textById("record-content")).contains("hello there");
      assertThat(b.textById("proof-status")).contains("Proof verified");
      b.screenshot("audit-record");
      b.click("Back to the search").click("Integrity and offline verification");
      b.screenshot("audit-integrity");
      b.signOut();
    }
    // The analyst's search and view are themselves on the record.
    assertThat(stand.records("audit.searched")).isNotEmpty();
    assertThat(stand.records("audit.viewed")).isNotEmpty();
  }
}
