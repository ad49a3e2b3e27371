package dev.airlock.server.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real browser for console journeys: Debian's headless Chromium driven by Selenium, with nothing
 * downloaded (the driver path is given, so Selenium Manager never runs). Journeys speak the user's
 * language: {@link #open}, {@link #fill} by label, {@link #click} by visible text, {@link #signIn}.
 *
 * <p>Every page the browser arrives at is checked at once ({@link #checkPage}): basic accessibility
 * (labels, one h1, alt text, lang, table captions) and no Content-Security-Policy violation or
 * uncaught script error in the console log. A journey therefore only says where to go; a page that
 * breaks the rules fails whichever journey passes through it.
 *
 * <p>Without {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} the test is skipped, except
 * when {@code CI=true}: CI installs them, so there their absence fails the test.
 */
public final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  /** Long enough for a cold JIT server on a busy 2-core machine; only reached when a page never comes. */
  private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(30);
  private static final Dimension WINDOW = new Dimension(1280, 900);

  private final URI base;
  private final ChromeDriver driver;
  private final List<String> visited = new ArrayList<>();
  private final List<String> console = new ArrayList<>();

  private Browser(URI base, ChromeDriver driver) {
    this.base = base;
    this.driver = driver;
  }

  /** Starts headless Chromium for the appliance at {@code base}; skips (or, with CI=true, fails) without it. */
  public static Browser start(URI base) {
    requireInstalled();
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    System.setProperty("se.avoidStats", "true");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=" + WINDOW.width + "," + WINDOW.height);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    return new Browser(base, new ChromeDriver(service, options));
  }

  /** Skips the calling test without Chromium, or fails it when the environment says {@code CI=true}. */
  public static void requireInstalled() {
    requireInstalled(CHROMIUM, CHROMEDRIVER, "true".equalsIgnoreCase(System.getenv("CI")));
  }

  static void requireInstalled(Path chromium, Path chromedriver, boolean ci) {
    if (Files.isExecutable(chromium) && Files.isExecutable(chromedriver)) return;
    String message = "Browser tests need " + chromium + " and " + chromedriver
        + ": install them with 'apt-get install chromium chromium-driver' (.ci/run does this in CI).";
    if (ci) throw new AssertionError(message + " CI=true, so this fails rather than skips.");
    Assumptions.abort(message);
  }

  // ---- going places ----

  /** Opens a path of the appliance (e.g. {@code /console/users}) and checks the page. */
  public Browser open(String path) {
    driver.get(base.resolve(path).toString());
    arrived();
    return this;
  }

  /**
   * Clicks the one button, or else the one link, whose visible text is exactly {@code text}, waits
   * for the next page and checks it. Several matches are an error: a journey must be unambiguous.
   */
  public Browser click(String text) {
    List<WebElement> buttons = buttons(text);
    List<WebElement> found = buttons.isEmpty() ? links(text) : buttons;
    if (found.isEmpty()) {
      throw new AssertionError("no button or link '" + text + "' on " + path() + "; buttons: " + texts("button") + ", links: " + texts("a"));
    }
    if (found.size() > 1) throw new AssertionError(found.size() + " buttons or links '" + text + "' on " + path() + "; a journey needs exactly one");
    navigate(found.get(0)::click, "clicking '" + text + "'");
    return this;
  }

  /** Types into the field with this label text (without its hint), or else with this id. */
  public Browser fill(String labelOrId, String value) {
    WebElement field = field(labelOrId);
    field.clear();
    field.sendKeys(value);
    return this;
  }

  /** Ticks (or unticks) the checkbox with this label text. */
  public Browser tick(String label, boolean on) {
    WebElement box = field(label);
    if (box.isSelected() != on) box.click();
    return this;
  }

  /** Types keys into whatever has the focus, as a keyboard user would. */
  public Browser keys(CharSequence... keys) {
    driver.switchTo().activeElement().sendKeys(keys);
    return this;
  }

  /** Presses Enter in the focused element and waits for the page the form submission leads to. */
  public Browser submitWithEnter() {
    navigate(() -> driver.switchTo().activeElement().sendKeys(Keys.ENTER), "pressing Enter");
    return this;
  }

  /** The id of the focused element ("" when it has none). */
  public String focused() {
    String id = driver.switchTo().activeElement().getAttribute("id");
    return id == null ? "" : id;
  }

  // ---- signing in and out ----

  /**
   * Signs in through the form. When the account still has its one-time password, the console sends
   * the user to the account page first; this then chooses {@link #ownPassword} there, as a user must.
   *
   * @return the password that works from now on
   */
  public String signIn(String username, String password) {
    open("/console/login").fill("Username", username).fill("Password", password).click("Sign in");
    if (path().equals("/console/login")) {
      throw new AssertionError("sign-in as " + username + " was refused: " + textOf(".error"));
    }
    if (!path().equals("/console/account") || driver.findElements(By.cssSelector("main .warn")).isEmpty()) return password;
    String own = ownPassword(username);
    fill("current", password).fill("new", own).fill("confirm", own).click("Change password");
    if (!path().equals("/console")) {
      throw new AssertionError("changing the one-time password of " + username + " failed: " + textOf(".error"));
    }
    return own;
  }

  /** The password {@link #signIn} chooses in place of a one-time password. */
  public static String ownPassword(String username) {
    return username + "-chose-this-passphrase";
  }

  public Browser signOut() {
    return click("Sign out");
  }

  // ---- reading the page ----

  /** The path of the current page, without query. */
  public String path() {
    return URI.create(driver.getCurrentUrl()).getPath();
  }

  public String h1() {
    return driver.findElement(By.tagName("h1")).getText();
  }

  /** The visible text of the element with this id. */
  public String textById(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  /** The visible text of the first element matching this CSS selector, or "" when none. */
  public String textOf(String css) {
    return driver.findElements(By.cssSelector(css)).stream().findFirst().map(WebElement::getText).orElse("");
  }

  /** The texts of the main navigation's links. */
  public List<String> navigation() {
    return driver.findElements(By.cssSelector("nav[aria-label=Main] a")).stream().map(WebElement::getText).toList();
  }

  /** Every page URL this browser arrived at, in order; each passed {@link #checkPage}. */
  public List<String> visited() {
    return List.copyOf(visited);
  }

  /** Everything the browser's console logged so far ("LEVEL message"). */
  public List<String> consoleLog() {
    drainConsole();
    return List.copyOf(console);
  }

  /** For what the helpers above do not cover. */
  public WebDriver driver() {
    return driver;
  }

  // ---- checks ----

  /**
   * Fails when the current page breaks a basic accessibility rule, or when the browser logged a
   * Content-Security-Policy violation or an uncaught script error since the last check.
   */
  public void checkPage() {
    @SuppressWarnings("unchecked")
    List<String> problems = (List<String>) ((JavascriptExecutor) driver).executeScript(ACCESSIBILITY);
    List<String> failures = new ArrayList<>(problems);
    int seen = console.size();
    drainConsole();
    for (String line : console.subList(seen, console.size())) {
      if (line.contains("Content Security Policy") || line.contains("Uncaught")) failures.add("browser console: " + line);
    }
    if (!failures.isEmpty()) {
      throw new AssertionError("page " + path() + " fails the console's page rules:\n  " + String.join("\n  ", failures));
    }
  }

  /**
   * Writes a PNG of the whole current page to {@code docs/screenshots/<name>.png} of the repository,
   * only when {@code -Dairlock.screenshots=true}, so ordinary test runs leave committed files alone.
   */
  public void screenshot(String name) {
    if (!Boolean.getBoolean("airlock.screenshots")) return;
    Path out = repositoryRoot().resolve("docs/screenshots/" + name + ".png");
    // Chrome's own capture of the whole page, not just the 1280x900 viewport (no scrollbar, no cut-off).
    @SuppressWarnings("unchecked")
    Map<String, Number> size = (Map<String, Number>) driver.executeCdpCommand("Page.getLayoutMetrics", Map.of()).get("cssContentSize");
    Map<String, Object> clip = Map.of("x", 0, "y", 0, "scale", 1,
        "width", WINDOW.width, "height", (int) Math.ceil(size.get("height").doubleValue()));
    String png = (String) driver.executeCdpCommand("Page.captureScreenshot",
        Map.of("format", "png", "captureBeyondViewport", true, "clip", clip)).get("data");
    try {
      Files.createDirectories(out.getParent());
      Files.write(out, Base64.getDecoder().decode(png));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write screenshot " + out, e);
    }
  }

  /** The checkout: the nearest directory, from the working directory up, that holds appliance-server. */
  static Path repositoryRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("appliance-server")) && Files.exists(p.resolve("pom.xml"))) return p;
    }
    throw new IllegalStateException("cannot find the repository root (a directory holding appliance-server) above "
        + Path.of("").toAbsolutePath());
  }

  @Override
  public void close() {
    driver.quit();
  }

  // ---- internals ----

  private void navigate(Runnable action, String what) {
    WebElement before = driver.findElement(By.tagName("html"));
    action.run();
    try {
      new WebDriverWait(driver, PAGE_TIMEOUT).until(d -> gone(before));
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError(what + " on " + path() + " did not lead to a page (a required field left empty?)", e);
    }
    arrived();
  }

  /**
   * Whether the page that held {@code element} has been replaced. Chromium reports a node of the old
   * document either as stale or, while the new one is being committed, as an inspector error saying it
   * "does not belong to the document"; both mean the same. Selenium's {@code stalenessOf} knows only
   * the first, which made journeys fail at random on a busy machine.
   */
  private static boolean gone(WebElement element) {
    try {
      element.isEnabled();
      return false;
    } catch (StaleElementReferenceException e) {
      return true;
    } catch (WebDriverException e) {
      if (String.valueOf(e.getMessage()).contains("does not belong to the document")) return true;
      throw e;
    }
  }

  private void arrived() {
    new WebDriverWait(driver, PAGE_TIMEOUT).ignoring(org.openqa.selenium.JavascriptException.class).until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
    if (!driver.findElements(By.id("main-frame-error")).isEmpty()) {
      throw new AssertionError("the browser could not load " + driver.getCurrentUrl() + ": " + normal(textOf("body")));
    }
    visited.add(driver.getCurrentUrl());
    checkPage();
  }

  private void drainConsole() {
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) console.add(e.getLevel() + " " + e.getMessage());
  }

  private List<WebElement> buttons(String text) {
    return driver.findElements(By.cssSelector("button, input[type=submit]")).stream()
        .filter(WebElement::isDisplayed)
        .filter(b -> text.equals(normal(b.getTagName().equals("input") ? b.getAttribute("value") : b.getText()))).toList();
  }

  private List<WebElement> links(String text) {
    return driver.findElements(By.tagName("a")).stream().filter(WebElement::isDisplayed)
        .filter(a -> text.equals(normal(a.getText()))).toList();
  }

  /** The field a label names (the label's text without its hint), or else the field with that id. */
  private WebElement field(String labelOrId) {
    @SuppressWarnings("unchecked")
    List<WebElement> found = (List<WebElement>) ((JavascriptExecutor) driver).executeScript(FIELDS_BY_LABEL, labelOrId);
    if (found.size() > 1) throw new AssertionError(found.size() + " fields labelled '" + labelOrId + "' on " + path() + "; a journey needs exactly one");
    if (found.size() == 1) return found.get(0);
    List<WebElement> byId = driver.findElements(By.id(labelOrId));
    if (byId.isEmpty()) throw new AssertionError("no field labelled or with id '" + labelOrId + "' on " + path() + "; labels: " + texts("label"));
    return byId.get(0);
  }

  private List<String> texts(String tag) {
    return driver.findElements(By.tagName(tag)).stream().filter(WebElement::isDisplayed).map(e -> normal(e.getText())).toList();
  }

  private static String normal(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").strip();
  }

  /** The fields whose label, hints left out, reads exactly arguments[0]. */
  private static final String FIELDS_BY_LABEL = """
      const wanted = arguments[0];
      const found = [];
      document.querySelectorAll('label').forEach(label => {
        const copy = label.cloneNode(true);
        copy.querySelectorAll('.hint, input, select, textarea').forEach(e => e.remove());
        if (copy.textContent.replace(/\\s+/g, ' ').trim() !== wanted) return;
        const field = label.htmlFor ? document.getElementById(label.htmlFor) : label.querySelector('input, select, textarea');
        if (field) found.push(field);
      });
      return found;
      """;

  /** Returns a list of problems; runs in the page, so it sees what a screen reader would. */
  private static final String ACCESSIBILITY = """
      const problems = [];
      const describe = e => e.outerHTML.slice(0, 120);
      if (!document.documentElement.getAttribute('lang')) problems.push('<html> has no lang');
      const h1s = document.querySelectorAll('h1');
      if (h1s.length !== 1) problems.push('page has ' + h1s.length + ' <h1>, needs exactly one');
      if (!document.title.trim()) problems.push('page has no <title>');
      document.querySelectorAll('img:not([alt])').forEach(e => problems.push('image without alt: ' + describe(e)));
      const ids = new Map();
      document.querySelectorAll('[id]').forEach(e => ids.set(e.id, (ids.get(e.id) || 0) + 1));
      ids.forEach((n, id) => { if (n > 1) problems.push('id "' + id + '" used ' + n + ' times'); });
      document.querySelectorAll('input:not([type=hidden]), select, textarea').forEach(e => {
        const labelled = (e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]'))
          || e.closest('label') || (e.getAttribute('aria-label') || '').trim() || e.getAttribute('aria-labelledby');
        if (!labelled) problems.push('field without a label: ' + describe(e));
      });
      document.querySelectorAll('button, a[href]').forEach(e => {
        const name = (e.textContent || '').trim() || (e.getAttribute('aria-label') || '').trim()
          || [...e.querySelectorAll('img[alt]')].map(i => i.alt.trim()).join('');
        if (!name) problems.push('button or link without a name: ' + describe(e));
      });
      document.querySelectorAll('table').forEach(t => {
        if (!t.querySelector(':scope > caption')) problems.push('table without <caption>: ' + describe(t));
        t.querySelectorAll('th:not([scope])').forEach(th => problems.push('<th> without scope: ' + describe(th)));
      });
      return problems;
      """;
}
