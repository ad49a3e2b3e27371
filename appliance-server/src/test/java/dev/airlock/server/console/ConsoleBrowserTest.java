package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
import dev.airlock.server.changes.People;
import dev.airlock.server.gateway.TestAppliance;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * Journeys through the console in a real browser (headless Chromium). Every page a journey reaches
 * is checked by {@link Browser#checkPage}: labels, one h1, alt text, lang, table captions, and no
 * Content-Security-Policy violation. Run with {@code -Dairlock.screenshots=true} to refresh the
 * screenshots in docs/screenshots.
 */
class ConsoleBrowserTest {
  @TempDir static Path dir;
  static TestAppliance app;
  static Users users;
  /** Made in {@link #start} because bootstrap only makes the appliance's first ADMIN. */
  static Users.Created firstAdmin;
  Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireInstalled();
    app = TestAppliance.start(dir, List.of(), Map.of());
    users = app.server.getApplicationContext().getBean(Users.class);
    firstAdmin = users.bootstrap(Users.FirstAccounts.admin("admin"), "test").get(0);
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) app.close();
  }

  @BeforeEach
  void openBrowser() {
    browser = Browser.start(app.url("/"));
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) browser.close();
  }

  @Test
  void theBootstrappedAdminChoosesAPasswordAtFirstSignInAndReachesTheOverview() {
    browser.open("/console/login");
    assertThat(browser.h1()).isEqualTo("Sign in");
    browser.screenshot("login");
    browser.fill("Username", "admin").fill("Password", firstAdmin.oneTimePassword()).click("Sign in");

    assertThat(browser.path()).isEqualTo("/console/account");
    assertThat(browser.textOf("main .warn")).contains("one-time password");
    browser.screenshot("account");
    String own = Browser.ownPassword("admin");
    browser.fill("Current password", firstAdmin.oneTimePassword()).fill("New password", own).fill("New password again", own)
        .click("Change password");

    // straight on to the overview once the one-time password is replaced
    assertThat(browser.path()).isEqualTo("/console");
    assertThat(browser.h1()).isEqualTo("Overview");
    assertThat(browser.navigation()).contains("Users", "Models", "Apps").doesNotContain("Model review", "Audit log");
    browser.screenshot("overview");
  }

  @Test
  void anAdminProposesADpoAnotherDpoConfirmsAndTheNewDpoSeesOnlyWhatADpoMay() {
    Users.Created olga = users.create("olga", "Olga Operator", EnumSet.of(Role.ADMIN), "test");
    Users.Created dirk = People.create(app.server.getApplicationContext(), "dirk", "Dirk DPO", EnumSet.of(Role.DPO));
    browser.signIn("olga", olga.oneTimePassword());
    browser.click("Airlock").click("Users");
    assertThat(browser.h1()).isEqualTo("Users and roles");
    browser.fill("Username", "dana").fill("Full name", "Dana Protection").tick("DPO — Data Protection Officer", true)
        .click("Add user");
    assertThat(browser.textOf(".notice")).startsWith("Added dana. DPO for dana waits for a Data Protection Officer"
        + " other than you to confirm it on the Changes page");
    assertThat(browser.driver().findElements(By.id("one-time-password"))).isEmpty();
    assertThat(users.find("dana").orElseThrow().roles()).isEmpty();
    browser.screenshot("users");
    browser.signOut();

    // The second person: a DPO reads what waits and confirms it.
    browser.signIn("dirk", dirk.oneTimePassword());
    browser.click("Changes");
    assertThat(browser.textOf("#pending-changes")).contains("Give DPO to dana").contains("olga");
    browser.screenshot("changes");
    browser.click("Confirm");
    assertThat(browser.textOf(".notice")).startsWith("Confirmed and done: Give DPO to dana");
    assertThat(users.find("dana").orElseThrow().roles()).containsExactly(Role.DPO);
    browser.signOut();

    // The proposer collects dana's one-time password, once.
    browser.signIn("olga", Browser.ownPassword("olga"));
    browser.click("Changes").click("Show the one-time password");
    String oneTime = browser.textById("one-time-password");
    assertThat(oneTime).isNotBlank();
    assertThat(browser.driver().findElements(By.xpath("//button[text()='Show the one-time password']"))).isEmpty();
    browser.signOut();
    assertThat(browser.path()).isEqualTo("/console/login");

    String own = browser.signIn("dana", oneTime);
    assertThat(own).isEqualTo(Browser.ownPassword("dana"));
    browser.click("Airlock");
    assertThat(browser.h1()).isEqualTo("Overview");
    assertThat(browser.navigation()).contains("Model review", "Changes").doesNotContain("Users", "Models", "Apps", "Audit log");
    assertThat(browser.driver().findElements(By.cssSelector("main h2")).stream().map(WebElement::getText))
        .contains("Model review").doesNotContain("Users and roles");
  }

  @Test
  void aDpoOpeningTheUsersPageIsToldItIsNotAllowed() {
    Users.Created pia = People.create(app.server.getApplicationContext(), "pia", "Pia DPO", EnumSet.of(Role.DPO));
    browser.signIn("pia", pia.oneTimePassword());
    browser.open("/console/users");
    assertThat(browser.h1()).isEqualTo("Not allowed");
    assertThat(browser.textOf("main .error")).isNotBlank();
    assertThat(browser.driver().findElements(By.id("new-username"))).isEmpty();
    assertThat(users.find("pia").orElseThrow().roles()).containsExactly(Role.DPO);
  }

  @Test
  void signingInNeedsOnlyTheKeyboard() {
    Users.Created kim = People.create(app.server.getApplicationContext(), "kim", "Kim Auditor", EnumSet.of(Role.AUDITOR));
    users.changePassword("kim", kim.oneTimePassword().toCharArray(), "kims-own-passphrase".toCharArray());
    browser.open("/console/login");
    assertThat(browser.focused()).isEqualTo("username");
    browser.keys("kim", Keys.TAB);
    assertThat(browser.focused()).isEqualTo("password");
    browser.keys("kims-own-passphrase").submitWithEnter();
    assertThat(browser.path()).isEqualTo("/console");
    assertThat(browser.navigation()).containsExactly("Audit log");

    browser.keys(Keys.TAB);
    assertThat(browser.driver().switchTo().activeElement().getText()).isEqualTo("Skip to content");
  }

  @Test
  void everyBuiltPageInTheNavigationPassesThePageRules() throws Exception {
    // No account holds ADMIN and DPO, so two people between them see every page.
    Users.Created max = People.create(app.server.getApplicationContext(), "max", "Max Operator",
        EnumSet.of(Role.ADMIN, Role.AUDITOR));
    Users.Created mia = People.create(app.server.getApplicationContext(), "mia", "Mia DPO", EnumSet.of(Role.DPO));
    List<String> built = new ArrayList<>();
    List<String> all = new ArrayList<>();
    for (Users.Created who : List.of(max, mia)) {
      String name = who.user().username();
      String own = browser.signIn(name, who.oneTimePassword());
      browser.open("/console");
      List<String> links = browser.driver().findElements(By.cssSelector("nav[aria-label=Main] a")).stream()
          .map(a -> URI.create(a.getAttribute("href")).getPath()).toList();
      all.addAll(links);
      // Pages other parts have not built yet answer 404; they join this check once they exist.
      ConsoleClient probe = new ConsoleClient(app.url("/"));
      probe.signIn(name, own);
      for (String link : links) {
        if (probe.get(link).statusCode() == 404) continue;
        browser.open(link);
        built.add(link);
      }
      browser.open("/console/account");
      browser.signOut();
    }
    assertThat(all).contains("/console/users", "/console/reviews", "/console/audit", "/console/changes");
    assertThat(built).contains("/console/users", "/console/changes");
    assertThat(browser.visited()).hasSizeGreaterThan(built.size());
  }

  @Test
  void thePageRulesCatchAnUnlabelledFieldAndAContentSecurityPolicyViolation() {
    browser.open("/console/login");
    script("document.querySelector('main').appendChild(document.createElement('input'))");
    assertThatThrownBy(browser::checkPage).hasMessageContaining("field without a label");

    browser.open("/console/login");
    script("const s = document.createElement('script'); s.textContent = 'window.injected = 1'; document.body.appendChild(s)");
    assertThatThrownBy(browser::checkPage).hasMessageContaining("Content Security Policy");
    assertThat(script("return window.injected === undefined")).isEqualTo(true);
  }

  private Object script(String js) {
    return ((JavascriptExecutor) browser.driver()).executeScript(js);
  }
}
