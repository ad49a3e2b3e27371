package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Sessions;
import dev.airlock.server.auth.Users;
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
      Users.Created c = users.create(r.name().toLowerCase(), r.title(), EnumSet.of(r), "test");
      users.changePassword(c.user().username(), c.oneTimePassword().toCharArray(), ("pass-for-" + r.name()).toCharArray());
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
      "session_expired", "password_change_required", "unauthorized");

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
      boolean operatorAllowed = r.rule().anyUser() || r.rule().roles().contains(Role.ADMIN);
      HttpResponse<String> operator = call(r, Optional.of(TestAppliance.OPERATOR_TOKEN), Optional.empty(), false);
      if (operatorAllowed) {
        assertThat(operator.statusCode()).as("operator token on %s %s", r.method(), r.template()).isNotIn(401, 403);
      } else {
        assertThat(operator.statusCode()).as("operator token on %s %s", r.method(), r.template()).isEqualTo(403);
      }
    }
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
