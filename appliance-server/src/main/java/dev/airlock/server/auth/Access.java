package dev.airlock.server.auth;

import dev.airlock.server.vocabulary.Refusal;
import io.micronaut.core.annotation.AnnotationMetadata;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The one gate in front of the console, the admin API and /metrics: who is calling, whether the
 * route's {@link Allowed} lets them, and whether a cookie-borne request that changes something
 * carries the session's CSRF token. Credentials, in order:
 *
 * <ul>
 *   <li>{@code Authorization: Bearer als_...}: a console session token (the CLI and automation);
 *   <li>{@code Authorization: Bearer <operator token>}: acts as an ADMIN, on the routes whose
 *       {@link Allowed#operatorToken()} says so and nowhere else;
 *   <li>the {@value #COOKIE} cookie: a browser session, whose unsafe requests must echo the CSRF
 *       token in the {@value #CSRF_FIELD} form field or the {@value #CSRF_HEADER} header.
 * </ul>
 * App keys ({@code alk_...}) are refused everywhere here. An account that holds both ADMIN and DPO
 * (made before that was refused) is refused every route that only a DPO may call, until an ADMIN
 * splits it.
 */
@Singleton
public class Access {
  public static final String COOKIE = "airlock_session";
  public static final String CSRF_FIELD = "_csrf";
  public static final String CSRF_HEADER = "X-CSRF-Token";
  /** The request attribute that carries the {@link Principal} to controllers. */
  public static final String PRINCIPAL = "airlock.principal";

  private final Sessions sessions;
  private final Users users;
  private final OperatorAuth operatorAuth;

  public Access(Sessions sessions, Users users, OperatorAuth operatorAuth) {
    this.sessions = sessions;
    this.users = users;
    this.operatorAuth = operatorAuth;
  }

  /** Why a request was turned away; the status tells the client what to do. */
  public record Denied(int status, String code, String message) {}

  /** How a route is guarded, read from its {@link Allowed}; absent means nobody. */
  public record Rule(Set<Role> roles, boolean anonymous, boolean anyUser, boolean operatorToken) {
    public static final Rule NOBODY = new Rule(Set.of(), false, false, false);

    /**
     * The rule of a route: the method's own {@link Allowed} when it has one (it replaces the
     * controller's, never adds to it), else the controller's.
     */
    public static Rule of(AnnotationMetadata route) {
      if (route == null || !route.hasAnnotation(Allowed.class)) return NOBODY;
      AnnotationMetadata metadata = route.hasDeclaredAnnotation(Allowed.class) ? route.getDeclaredMetadata() : route;
      Role[] roles = metadata.enumValues(Allowed.class, Role.class);
      Set<Role> set = roles.length == 0 ? Set.of() : EnumSet.copyOf(Arrays.asList(roles));
      return new Rule(set, metadata.isTrue(Allowed.class, "anonymous"), metadata.isTrue(Allowed.class, "anyUser"),
          metadata.isTrue(Allowed.class, "operatorToken"));
    }
  }

  /** The outcome: the caller (absent for an anonymous route and nobody signed in), or a refusal. */
  public sealed interface Decision {}

  public record Let(Optional<Principal> principal) implements Decision {}

  public record Refuse(Denied denied) implements Decision {}

  /**
   * Decides one request.
   *
   * @param formCsrf the {@value #CSRF_FIELD} field of a form body, when the body is a form
   */
  public Decision decide(HttpRequest<?> request, Rule rule, Optional<String> formCsrf) {
    Optional<Principal> who;
    try {
      who = identify(request, formCsrf);
    } catch (DeniedException e) {
      return rule.anonymous() && e.denied.status() == 401 ? new Let(Optional.empty()) : new Refuse(e.denied);
    }
    if (rule.anonymous()) return new Let(who);
    if (who.isEmpty()) {
      return new Refuse(new Denied(401, "unauthenticated", "Sign in first: send a session token or the operator token"
          + " as 'Authorization: Bearer <token>', or use the console's sign-in page."));
    }
    Principal p = who.get();
    if (!p.isUser() && !rule.operatorToken()) return new Refuse(new Denied(403, "person_required", OPERATOR_TOKEN_REFUSED));
    if (rule.anyUser()) return new Let(who);
    if (p.mustChangePassword()) {
      return new Refuse(new Denied(403, "password_change_required",
          "Change your one-time password first (the console's Account page, or POST /admin/session/password)."));
    }
    if (p.holdsAdminAndDpo() && rule.roles().contains(Role.DPO) && rule.roles().stream().noneMatch(p::has)) {
      return new Refuse(new Denied(403, "separation_of_duties", splitAccount(p.username())));
    }
    if (rule.roles().stream().noneMatch(p::has)) {
      return new Refuse(new Denied(403, "forbidden", rule.roles().isEmpty()
          ? "This route is not open to anyone."
          : rule.roles().equals(Set.of(Role.DPO)) && p.has(Role.ADMIN) ? ADMIN_IS_NOT_A_DPO
          : "This needs the role " + String.join(" or ", rule.roles().stream().map(Role::name).sorted().toList())
              + "; you have " + (p.roles().isEmpty() ? "none" : String.join(", ", p.roles().stream().map(Role::name).sorted().toList()))
              + ". Ask an administrator."));
    }
    return new Let(who);
  }

  /** What the operator token is told on a route not open to it. */
  public static final String OPERATOR_TOKEN_REFUSED = "The operator token cannot do this: it only drives apps and keys,"
      + " model activations and aliases, backends, bundle imports and metrics. Users and roles, approvals,"
      + " pending changes, policy, trust and erasures need a person: sign in (POST /admin/session) and send"
      + " your session token instead.";

  /** What an ADMIN is told on a route only a DPO may call (approving, confirming a change). */
  public static final String ADMIN_IS_NOT_A_DPO = "This needs the role DPO, which no ADMIN holds: whoever runs the"
      + " appliance does not also approve for it. Ask a DPO to do it.";

  /** What an account holding both ADMIN and DPO is told on a DPO's route. */
  public static String splitAccount(String username) {
    return "Your account '" + username + "' holds both ADMIN and DPO, which no account may hold, so it cannot act as"
        + " a DPO. An ADMIN must split it: remove one of the two roles from this account (the console's Users page,"
        + " or PUT /admin/users/" + username + "/roles) and give that role to a second account for another person.";
  }

  private Optional<Principal> identify(HttpRequest<?> request, Optional<String> formCsrf) {
    String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
    if (header != null) {
      String presented = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
      if (presented.startsWith("alk_")) {
        throw new DeniedException(403, "app_key_refused", "App API keys only reach /v1; the console and the admin API"
            + " need a console session or the operator token.");
      }
      if (presented.startsWith(Sessions.TOKEN_PREFIX)) {
        return Optional.of(principal(sessions.find(presented).orElseThrow(() -> new DeniedException(401, "session_expired",
            "The session token is unknown or has expired: sign in again (POST /admin/session)."))));
      }
      try {
        operatorAuth.require(request);
        return Optional.of(Principal.operatorToken());
      } catch (OperatorAuth.Refused e) {
        throw new DeniedException(e.status(), "unauthorized", e.getMessage());
      }
    }
    Optional<String> cookie = request.getCookies().findCookie(COOKIE).map(Cookie::getValue);
    if (cookie.isEmpty()) return Optional.empty();
    Session session = sessions.find(cookie.get()).orElseThrow(() -> new DeniedException(401, "session_expired",
        "Your session has ended: sign in again."));
    if (!isSafe(request.getMethod())) {
      String presented = request.getHeaders().get(CSRF_HEADER);
      if (presented == null) presented = formCsrf.orElse(null);
      if (!Sessions.csrfMatches(session, presented)) {
        throw new DeniedException(403, "csrf", "This form is missing its security token or it is stale:"
            + " reload the page and submit again.");
      }
    }
    return Optional.of(principal(session));
  }

  private Principal principal(Session s) {
    ConsoleUser user = users.find(s.username()).filter(u -> !u.disabled())
        .orElseThrow(() -> new DeniedException(401, "session_expired", "This account is disabled or gone."));
    return new Principal(user.username(), user.displayName(), user.roles(), Optional.of(s), user.mustChangePassword());
  }

  public static boolean isSafe(HttpMethod m) {
    return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS;
  }

  /** The principal the gate put on a request; controllers behind the gate always have one, except anonymous routes. */
  public static Optional<Principal> principal(HttpRequest<?> request) {
    return request.getAttribute(PRINCIPAL, Principal.class);
  }

  public static Principal require(HttpRequest<?> request) {
    return principal(request).orElseThrow(() -> new IllegalStateException(
        "no principal on " + request.getPath() + ": is the route missing @Allowed?"));
  }

  /**
   * The signed-in person making the request, by username. The gate already keeps the operator
   * token off every route that calls this; refusing it here too keeps a wrongly marked route closed.
   */
  public static String person(HttpRequest<?> request) {
    Principal p = require(request);
    if (!p.isUser()) throw Refusal.forbidden("person_required", OPERATOR_TOKEN_REFUSED);
    return p.username();
  }

  private static final class DeniedException extends RuntimeException {
    final Denied denied;

    DeniedException(int status, String code, String message) {
      super(message, null, false, false);
      this.denied = new Denied(status, code, message);
    }
  }
}
