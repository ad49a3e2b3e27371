package dev.airlock.server.auth;

import dev.airlock.audit.AuditLog;
import dev.airlock.server.vocabulary.AdminRecords;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;

/**
 * Sign-in and sign-out: throttle, password check, session, and an audit record for every attempt
 * ({@code console.login} ok, {@code console.login_failed} refused or throttled,
 * {@code console.logout}). If the audit record cannot be written, nobody signs in.
 */
@Singleton
public class SignIn {
  private final Users users;
  private final Sessions sessions;
  private final LoginThrottle throttle;
  private final AuditLog audit;

  public SignIn(Users users, Sessions sessions, LoginThrottle throttle, AuditLog audit) {
    this.users = users;
    this.sessions = sessions;
    this.throttle = throttle;
    this.audit = audit;
  }

  /** The outcome of one attempt. */
  public sealed interface Result {}

  /** Signed in: the principal and the session token to hand to the client. */
  public record SignedIn(Principal principal, String token) implements Result {}

  /** Refused: one message for a wrong name or password alike. */
  public record Refused(String message) implements Result {}

  /** Too many failures: try again after the wait. */
  public record Throttled(Duration retryAfter) implements Result {
    public String message() {
      long s = Math.max(1, retryAfter.toSeconds());
      return "Too many failed sign-ins. Try again in " + (s >= 90 ? (s + 59) / 60 + " minutes." : s + " seconds.");
    }
  }

  /** The address a sign-in comes from, as the throttle and the audit records name it. */
  public static String address(io.micronaut.http.HttpRequest<?> request) {
    return request.getRemoteAddress().getAddress().getHostAddress();
  }

  public Result signIn(String username, char[] password, String address) {
    String name = username == null ? "" : username.strip().toLowerCase(java.util.Locale.ROOT);
    Optional<Duration> wait = throttle.waitFor(name, address);
    if (wait.isPresent()) {
      record(name, "console.login_failed", "throttled", address);
      return new Throttled(wait.get());
    }
    if (name.isEmpty() || password == null || password.length == 0 || !users.checkPassword(name, password)) {
      throttle.failed(name, address);
      record(name.isEmpty() ? "(none)" : name, "console.login_failed", "refused", address);
      return new Refused("The username or password is not right, or the account is disabled.");
    }
    ConsoleUser user = users.find(name).orElseThrow();
    record(name, "console.login", "ok", address);
    throttle.succeeded(name);
    Sessions.Opened opened = sessions.open(name);
    return new SignedIn(new Principal(name, user.displayName(), user.roles(), Optional.of(opened.session()), user.mustChangePassword()), opened.token());
  }

  public void signOut(Principal principal, String token) {
    sessions.close(token);
    record(principal.username(), "console.logout", "ok", "");
  }

  private void record(String username, String type, String status, String address) {
    java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();
    details.put("username", username);
    if (!address.isEmpty()) details.put("address", address);
    audit.append(AdminRecords.of(type, AdminRecords.USER_PREFIX + username, status, details));
  }
}
