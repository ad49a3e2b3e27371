package dev.airlock.server.console;

import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Principal;
import dev.airlock.server.auth.SignIn;
import dev.airlock.server.auth.Users;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.net.URI;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Sign-in, sign-out and the signed-in user's own account page. The sign-in form is protected
 * against cross-site posts by a double-submit token (a SameSite=Strict cookie that the form must
 * echo), since there is no session yet to hold a CSRF token.
 */
@Produces(MediaType.TEXT_HTML)
@Controller("/console")
@ExecuteOn(TaskExecutors.BLOCKING)
public class SignInController {
  static final String LOGIN_CSRF_COOKIE = "airlock_login_csrf";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SignIn signIn;
  private final Users users;
  private final Pages pages;

  public SignInController(SignIn signIn, Users users, Pages pages) {
    this.signIn = signIn;
    this.users = users;
    this.pages = pages;
  }

  @Get("/login")
  @Allowed(anonymous = true)
  public MutableHttpResponse<?> loginPage(HttpRequest<?> request, @Nullable @QueryValue String next) {
    if (Access.principal(request).filter(Principal::isUser).isPresent()) return HttpResponse.seeOther(URI.create(safeNext(next)));
    return loginForm(request, next, null, HttpStatus.OK);
  }

  @Post(uri = "/login", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  @Allowed(anonymous = true)
  public MutableHttpResponse<?> login(HttpRequest<?> request, @Body Map<String, String> form) {
    String expected = request.getCookies().findCookie(LOGIN_CSRF_COOKIE).map(Cookie::getValue).orElse("");
    String presented = form.getOrDefault(Access.CSRF_FIELD, "");
    String next = form.get("next");
    if (expected.isEmpty() || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), presented.getBytes(StandardCharsets.US_ASCII))) {
      return loginForm(request, next, "The sign-in form had expired. Please sign in again.", HttpStatus.FORBIDDEN);
    }
    SignIn.Result r = signIn.signIn(form.get("username"), form.getOrDefault("password", "").toCharArray(), SignIn.address(request));
    return switch (r) {
      case SignIn.SignedIn in -> HttpResponse.seeOther(URI.create(in.principal().mustChangePassword()
              ? "/console/account" : safeNext(next)))
          .cookie(sessionCookie(request, in.token(), -1))
          .cookie(Cookie.of(LOGIN_CSRF_COOKIE, "").path("/console/login").maxAge(0));
      case SignIn.Refused no -> loginForm(request, next, no.message(), HttpStatus.UNAUTHORIZED);
      case SignIn.Throttled t -> loginForm(request, next, t.message(), HttpStatus.TOO_MANY_REQUESTS)
          .header("Retry-After", Long.toString(Math.max(1, t.retryAfter().toSeconds())));
    };
  }

  @Post(uri = "/logout", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  @Allowed(anyUser = true)
  public MutableHttpResponse<?> logout(HttpRequest<?> request) {
    Principal me = Access.require(request);
    request.getCookies().findCookie(Access.COOKIE).ifPresent(c -> signIn.signOut(me, c.getValue()));
    return HttpResponse.seeOther(URI.create("/console/login")).cookie(sessionCookie(request, "", 0));
  }

  @Get("/account")
  @Allowed(anyUser = true)
  public Object account(HttpRequest<?> request) {
    return pages.ok(accountPage(request, null, null));
  }

  @Post(uri = "/account/password", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  @Allowed(anyUser = true)
  public Object changePassword(HttpRequest<?> request, @Body Map<String, String> form) {
    Principal me = Access.require(request);
    String next = form.getOrDefault("new", "");
    if (!next.equals(form.getOrDefault("confirm", ""))) {
      return pages.render(accountPage(request, null, "The two new passwords differ."), HttpStatus.BAD_REQUEST);
    }
    boolean oneTime = me.mustChangePassword();
    try {
      users.changePassword(me.username(), form.getOrDefault("current", "").toCharArray(), next.toCharArray());
    } catch (IllegalArgumentException | IllegalStateException e) {
      return pages.render(accountPage(request, null, capitalize(e.getMessage()) + "."), HttpStatus.BAD_REQUEST);
    }
    // After a one-time password, on to what the user came for; otherwise stay and confirm.
    if (oneTime) return HttpResponse.seeOther(URI.create("/console"));
    return pages.ok(accountPage(request, "Your password is changed.", null));
  }

  private Page accountPage(HttpRequest<?> request, String notice, String error) {
    Principal me = Access.require(request);
    Page page = Page.of(request, "account", "Your account")
        .with("user", users.find(me.username()).orElseThrow())
        .with("minLength", Users.MIN_PASSWORD_LENGTH);
    if (notice != null) page.notice(notice);
    if (error != null) page.error(error);
    return page;
  }

  private MutableHttpResponse<?> loginForm(HttpRequest<?> request, String next, String error, HttpStatus status) {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    Page page = Page.of(request, "login", "Sign in").with("loginCsrf", token).with("next", safeNext(next));
    if (error != null) page.error(error);
    return pages.render(page, status)
        .cookie(Cookie.of(LOGIN_CSRF_COOKIE, token).path("/console/login").httpOnly(true).sameSite(SameSite.Strict)
            .secure(request.isSecure()).maxAge(3600));
  }

  static Cookie sessionCookie(HttpRequest<?> request, String token, long maxAge) {
    Cookie c = Cookie.of(Access.COOKIE, token).path("/").httpOnly(true).sameSite(SameSite.Strict).secure(request.isSecure());
    return maxAge >= 0 ? c.maxAge(maxAge) : c;
  }

  /** Only a path on this console, never another site (an open redirect). */
  static String safeNext(String next) {
    if (next == null || !next.startsWith("/console") || next.startsWith("//") || next.contains("\\")
        || next.startsWith("/console/login")) {
      return "/console";
    }
    return next;
  }

  static String capitalize(String s) {
    return s == null || s.isEmpty() ? "" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
