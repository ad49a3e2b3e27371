package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.AuditLog;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
import dev.airlock.server.changes.People;
import dev.airlock.server.gateway.TestAppliance;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleSignInTest {
  @TempDir static Path dir;
  static TestAppliance app;
  static Users users;

  @BeforeAll
  static void start() throws Exception {
    app = TestAppliance.start(dir, List.of(), Map.of("airlock.console.failures-before-delay", 3));
    users = app.server.getApplicationContext().getBean(Users.class);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  ConsoleClient browser() {
    return new ConsoleClient(app.url("/"));
  }

  @Test
  void signInPageIsServedWithAStrictContentSecurityPolicy() throws Exception {
    HttpResponse<String> r = browser().get("/console/login");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-security-policy").orElseThrow())
        .contains("default-src 'none'").contains("script-src 'self'").contains("frame-ancestors 'none'");
    assertThat(r.headers().firstValue("cache-control")).contains("no-store");
    assertThat(r.body()).contains("<label for=\"username\">").contains("/console/assets/console.css")
        .doesNotContain("http://").doesNotContain("https://");
    assertThat(browser().get("/console/assets/console.css").statusCode()).isEqualTo(200);
  }

  @Test
  void anonymousPagesRedirectToSignIn() throws Exception {
    HttpResponse<String> r = browser().get("/console/users");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("location").orElseThrow()).isEqualTo("/console/login?next=%2Fconsole%2Fusers");
  }

  @Test
  void aOneTimePasswordMustBeChangedBeforeAnythingElse() throws Exception {
    Users.Created c = People.create(app.server.getApplicationContext(), "dora", "Dora DPO", EnumSet.of(Role.DPO));
    ConsoleClient b = browser();
    HttpResponse<String> r = b.signIn("dora", c.oneTimePassword());
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("location")).contains("/console/account");
    String cookie = r.headers().allValues("set-cookie").stream().filter(s -> s.startsWith("airlock_session=")).findFirst().orElseThrow();
    assertThat(cookie).containsIgnoringCase("HttpOnly").contains("SameSite=Strict");
    assertThat(b.get("/console").statusCode()).isEqualTo(303);
    b.get("/console/account");
    HttpResponse<String> tooShort = b.post("/console/account/password", Map.of("current", c.oneTimePassword(), "new", "short", "confirm", "short"));
    assertThat(tooShort.statusCode()).isEqualTo(400);
    assertThat(tooShort.body()).contains("at least 12 characters");
    HttpResponse<String> ok = b.post("/console/account/password",
        Map.of("current", c.oneTimePassword(), "new", "a-long-passphrase-1", "confirm", "a-long-passphrase-1"));
    assertThat(ok.statusCode()).isEqualTo(303);
    assertThat(ok.headers().firstValue("location")).contains("/console");
    assertThat(b.get("/console").statusCode()).isEqualTo(200);
    b.get("/console/account");
    HttpResponse<String> again = b.post("/console/account/password",
        Map.of("current", "a-long-passphrase-1", "new", "a-longer-passphrase-2", "confirm", "a-longer-passphrase-2"));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).contains("Your password is changed.");
    // the one-time password no longer works
    assertThat(browser().signIn("dora", c.oneTimePassword()).statusCode()).isEqualTo(401);
  }

  @Test
  void aFormPostWithoutTheCsrfTokenIsRefusedAndChangesNothing() throws Exception {
    Users.Created admin = users.create("ada", "Ada Admin", EnumSet.of(Role.ADMIN), "test");
    ConsoleClient b = browser();
    b.signIn("ada", admin.oneTimePassword());
    b.get("/console/account");
    b.post("/console/account/password", Map.of("current", admin.oneTimePassword(), "new", "ada-passphrase-22", "confirm", "ada-passphrase-22"));
    HttpResponse<String> forged = b.postRaw("/console/users", Map.of("username", "mallory", "ADMIN", "on"));
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.body()).contains("security token");
    assertThat(users.find("mallory")).isEmpty();
    HttpResponse<String> wrong = b.postRaw("/console/users", Map.of("_csrf", "not-the-token", "username", "mallory", "ADMIN", "on"));
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(users.find("mallory")).isEmpty();
    b.get("/console/users");
    HttpResponse<String> real = b.post("/console/users", Map.of("username", "aud", "displayName", "Aud Itor", "ADMIN", "on"));
    assertThat(real.statusCode()).isEqualTo(200);
    assertThat(real.body()).contains("one-time-password");
    assertThat(users.find("aud").orElseThrow().roles()).containsExactly(Role.ADMIN);
  }

  @Test
  void repeatedFailuresAreThrottledAndEveryAttemptIsAudited() throws Exception {
    Users.Created c = People.create(app.server.getApplicationContext(), "tess", "Tess", EnumSet.of(Role.AUDITOR));
    AuditLog log = app.server.getApplicationContext().getBean(AuditLog.class);
    long before = log.size();
    ConsoleClient b = browser();
    for (int i = 0; i < 3; i++) assertThat(b.signIn("tess", "wrong-password").statusCode()).isEqualTo(401);
    HttpResponse<String> throttled = b.signIn("tess", c.oneTimePassword());
    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(throttled.body()).contains("Too many failed sign-ins");
    assertThat(throttled.headers().firstValue("retry-after")).isPresent();
    List<String> types = new java.util.ArrayList<>();
    for (long i = before; i < log.size(); i++) types.add(log.decrypt(i).orElseThrow().type());
    assertThat(types).containsExactly("console.login_failed", "console.login_failed", "console.login_failed", "console.login_failed");
  }
}
