package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Sessions;
import dev.airlock.server.auth.Users;
import dev.airlock.server.changes.People;
import dev.airlock.server.gateway.TestAppliance;
import io.micronaut.http.HttpMethod;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every console page, admin API route and /metrics, called by every kind of caller: nobody, an
 * app key, the operator token, and a session of each role (as a bearer token and as a browser
 * cookie, with and without the CSRF token). What each caller may reach is read from the route's
 * {@code @Allowed}; the test checks the server enforces exactly that, and that no route lacks it.
 */
class AuthorizationMatrixTest {
  @TempDir static Path dir;
  static TestAppliance app;
  static Sessions sessions;
  static String appKey;
  static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  static void start() throws Exception {
    app = TestAppliance.start(dir, List.of(), Map.of());
    Users users = app.server.getApplicationContext().getBean(Users.class);
    sessions = app.server.getApplicationContext().getBean(Sessions.class);
    for (Role r : Role.values()) {
      People.withPassword(app.server.getApplicationContext(), r.name().toLowerCase(), r.title(), EnumSet.of(r),
          "pass-for-" + r.name());
    }
    JsonNode created = app.createApp("matrix", List.of(), Map.of());
    appKey = created.at("/key/secret").asText();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  /** The codes of the gate's own refusals, as opposed to a handler's answer to a bad request. */
  static final Set<String> GATE_CODES = Set.of("unauthenticated", "forbidden", "csrf", "app_key_refused",
      "session_expired", "password_change_required", "unauthorized", "person_required", "separation_of_duties");

  record Route(HttpMethod method, String template, Access.Rule rule, String contentType) {
    String path() {
      return template.replaceAll("\\{[^}]*}", "x");
    }

    boolean console() {
      return template.equals("/console") || template.startsWith("/console/");
    }

    boolean unsafe() {
      return !(method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS);
    }
  }

  static List<Route> guardedRoutes() {
    Router router = app.server.getApplicationContext().getBean(Router.class);
    List<Route> out = new ArrayList<>();
    router.uriRoutes().forEach((UriRouteInfo<?, ?> r) -> {
      String t = r.getUriMatchTemplate().toString();
      if (t.equals("/console") || t.startsWith("/console/") || t.startsWith("/admin") || t.startsWith("/metrics")) {
        String type = r.getConsumes().stream().map(Object::toString)
            .filter(m -> !m.equals("*/*") && !m.equals("application/json")).findFirst()
            .orElse(t.startsWith("/console") ? "application/x-www-form-urlencoded" : "application/json");
        out.add(new Route(r.getHttpMethod(), t, Access.Rule.of(r.getAnnotationMetadata()), type));
      }
    });
    return out;
  }

  @Test
  void everyGuardedRouteSaysWhoMayCallIt() {
    List<Route> routes = guardedRoutes();
    assertThat(routes).hasSizeGreaterThan(20);
    assertThat(routes).as("routes without @Allowed are refused to everyone; give each one its roles")
        .allSatisfy(r -> assertThat(r.rule()).isNotEqualTo(Access.Rule.NOBODY));
  }

  @Test
  void nobodyAndAppKeysReachNothingButTheSignInRoutes() throws Exception {
    for (Route r : guardedRoutes()) {
      HttpResponse<String> anonymous = call(r, Optional.empty(), Optional.empty(), false);
      HttpResponse<String> withAppKey = call(r, Optional.of(appKey), Optional.empty(), false);
      assertThat(withAppKey.statusCode()).as("app key on %s %s", r.method(), r.template()).isEqualTo(403);
      if (r.rule().anonymous() && !r.unsafe()) {
        assertThat(anonymous.statusCode()).as("anonymous on %s %s", r.method(), r.template()).isEqualTo(200);
      } else if (r.rule().anonymous() && r.console()) {
        // the sign-in form without its double-submit token
        assertThat(anonymous.statusCode()).as("anonymous on %s %s", r.method(), r.template()).isEqualTo(403);
      } else if (r.rule().anonymous()) {
        assertThat(gateCode(anonymous)).as("anonymous on %s %s: %s", r.method(), r.template(), anonymous.body()).isEmpty();
      } else if (r.console() && !r.unsafe()) {
        assertThat(anonymous.statusCode()).as("anonymous on %s %s", r.method(), r.template()).isEqualTo(303);
        assertThat(anonymous.headers().firstValue("location").orElse("")).startsWith("/console/login?next=");
      } else {
        assertThat(anonymous.statusCode()).as("anonymous on %s %s", r.method(), r.template()).isEqualTo(401);
      }
    }
  }

  @Test
  void eachRoleReachesExactlyItsRoutes() throws Exception {
    for (Route r : guardedRoutes()) {
      if (r.rule().anonymous()) continue;
      for (Role role : Role.values()) {
        boolean allowed = r.rule().anyUser() || r.rule().roles().contains(role);
        // A fresh session per call: some allowed calls (sign-out) end the session they use.
        String token = sessions.open(role.name().toLowerCase()).token();
        HttpResponse<String> bearer = call(r, Optional.of(token), Optional.empty(), false);
        if (allowed) {
          assertThat(bearer.statusCode()).as("%s on %s %s: %s", role, r.method(), r.template(), bearer.body())
              .isNotIn(401, 403);
        } else {
          assertThat(bearer.statusCode()).as("%s on %s %s", role, r.method(), r.template()).isEqualTo(403);
        }
      }
      boolean operatorAllowed = r.rule().operatorToken() && (r.rule().anyUser() || r.rule().roles().contains(Role.ADMIN));
      HttpResponse<String> operator = call(r, Optional.of(TestAppliance.OPERATOR_TOKEN), Optional.empty(), false);
      if (operatorAllowed) {
        assertThat(operator.statusCode()).as("operator token on %s %s", r.method(), r.template()).isNotIn(401, 403);
      } else {
        assertThat(operator.statusCode()).as("operator token on %s %s", r.method(), r.template()).isEqualTo(403);
        if (r.method() == HttpMethod.HEAD) continue;
        if (r.console()) {
          assertThat(operator.body()).as("operator token on %s %s", r.method(), r.template())
              .contains(Access.OPERATOR_TOKEN_REFUSED);
        } else {
          assertThat(gateCode(operator)).as("operator token on %s %s: %s", r.method(), r.template(), operator.body())
              .contains("person_required");
        }
      }
    }
  }

  /**
   * The operator token (automation) reaches apps and keys, model activations and aliases,
   * backends, bundle imports, metrics, who-am-I and the approval record, and nothing else: no
   * users, roles, changes, policy, trust, reviews, erasures, audit or console page. A route
   * opened to it must be added here on purpose.
   */
  @Test
  void theOperatorTokenReachesOnlyTheRoutesMarkedForIt() {
    List<String> open = guardedRoutes().stream().filter(r -> r.rule().operatorToken() && r.method() != HttpMethod.HEAD)
        .map(r -> r.method() + " " + r.template()).distinct().sorted().toList();
    assertThat(open).containsExactlyInAnyOrder(
        "POST /admin/apps", "GET /admin/apps", "GET /admin/apps/{id}", "PATCH /admin/apps/{id}",
        "GET /admin/apps/{id}/keys", "POST /admin/apps/{id}/keys", "POST /admin/keys/{keyId}/rotate",
        "DELETE /admin/keys/{keyId}", "PUT /admin/models/{+id}", "DELETE /admin/models/{+id}", "GET /admin/models",
        "PUT /admin/aliases/{alias}", "POST /admin/bundles", "GET /admin/backends", "GET /metrics",
        "GET /admin/session", "GET /admin/reviews/{versionId}/record");
  }

  @Test
  void browserPostsWithoutTheCsrfTokenAreRefusedOnEveryUnsafeRoute() throws Exception {
    for (Route r : guardedRoutes()) {
      if (!r.unsafe()) continue;
      Role role = r.rule().roles().isEmpty() ? Role.ADMIN : r.rule().roles().iterator().next();
      Sessions.Opened s = sessions.open(role.name().toLowerCase());
      HttpResponse<String> forged = call(r, Optional.empty(), Optional.of(s.token()), false);
      assertThat(forged.statusCode()).as("cookie without CSRF on %s %s: %s", r.method(), r.template(), forged.body())
          .isEqualTo(403);
      if (!r.rule().anonymous()) {
        HttpResponse<String> real = call(r, Optional.empty(), Optional.of(s.token()), true);
        assertThat(real.statusCode()).as("cookie with CSRF on %s %s: %s", r.method(), r.template(), real.body())
            .isNotIn(401, 403);
      }
    }
  }

  @Test
  void aSignedOutOrUnknownSessionReachesNothing() throws Exception {
    Sessions.Opened s = sessions.open("admin");
    sessions.close(s.token());
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(app.url("/admin/users"))
        .header("authorization", "Bearer " + s.token()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("sign in again");
  }

  /** The gate's refusal code in a JSON error, if the answer is one. */
  static Optional<String> gateCode(HttpResponse<String> r) {
    try {
      String code = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).at("/error/code").asText("");
      return GATE_CODES.contains(code) ? Optional.of(code) : Optional.empty();
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  private static HttpResponse<String> call(Route r, Optional<String> bearer, Optional<String> cookie, boolean withCsrf)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.server.getURL() + r.path()));
    bearer.ifPresent(t -> b.header("authorization", "Bearer " + t));
    cookie.ifPresent(t -> b.header("cookie", Access.COOKIE + "=" + t));
    if (withCsrf && cookie.isPresent()) {
      b.header(Access.CSRF_HEADER, sessions.find(cookie.get()).orElseThrow().csrfToken());
    }
    b.method(r.method().name(), r.unsafe() ? HttpRequest.BodyPublishers.ofString(
        r.contentType().equals("application/json") ? "{}"
        : r.contentType().equals("application/x-www-form-urlencoded") ? "probe=1" : "") : HttpRequest.BodyPublishers.noBody());
    if (r.unsafe()) b.header("content-type", r.contentType());
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

}
