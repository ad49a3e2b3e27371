package dev.airlock.server.changes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.server.auth.Access;
import dev.airlock.server.gateway.TestAppliance;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator token is automation for apps, keys, models and backends: it never approves,
 * confirms, declines or proposes, never manages users, and never changes policy or trust. On
 * every such route it gets 403, a message telling the caller to sign in as a person, and nothing
 * changes.
 */
class OperatorTokenLimitsTest {
  @TempDir Path dir;

  @Test
  void theOperatorTokenIsRefusedEveryRouteThatTakesAPersonAndChangesNothing() throws Exception {
    try (TestAppliance app = TestAppliance.start(dir, List.of(), Map.of())) {
      Appliance a = new Appliance(app);
      a.bootstrap("adam", List.of("dora"), List.of("aude"));
      String adam = a.token("adam");
      a.savedPolicy("op-policy", "adam");
      String change = a.call(adam, "POST", "/admin/trust", Map.of("name", "pending-key", "role", "transfer",
          "pem", Appliance.newKeyPem())).body().at("/change/id").asText();
      String pem = Appliance.newKeyPem();
      String op = TestAppliance.OPERATOR_TOKEN;

      List<Object[]> json = List.of(
          // people
          new Object[] {"GET", "/admin/users", null},
          new Object[] {"GET", "/admin/users/dora", null},
          new Object[] {"POST", "/admin/users", Map.of("username", "robo", "roles", List.of("ADMIN"))},
          new Object[] {"POST", "/admin/users", Map.of("username", "robo-dpo", "roles", List.of("DPO"))},
          new Object[] {"PUT", "/admin/users/adam/roles", Map.of("roles", List.of("ADMIN", "AUDITOR"))},
          new Object[] {"POST", "/admin/users/dora/disable", null},
          new Object[] {"POST", "/admin/users/dora/enable", null},
          new Object[] {"POST", "/admin/users/aude/reset-password", null},
          // two-person changes
          new Object[] {"GET", "/admin/changes", null},
          new Object[] {"GET", "/admin/changes/" + change, null},
          new Object[] {"POST", "/admin/changes/" + change + "/confirm", null},
          new Object[] {"POST", "/admin/changes/" + change + "/decline", null},
          new Object[] {"POST", "/admin/changes/" + change + "/one-time-password", null},
          // policy
          new Object[] {"GET", "/admin/policy", null},
          new Object[] {"GET", "/admin/policy/op-policy/versions/1", null},
          new Object[] {"POST", "/admin/policy/op-policy/versions/1/activate", null},
          // trust
          new Object[] {"GET", "/admin/trust", null},
          new Object[] {"POST", "/admin/trust", Map.of("name", "robo-key", "role", "transfer", "pem", pem)},
          new Object[] {"POST", "/admin/trust/revoke", Map.of("key", "pending-key", "reason", "robot says so")},
          // approvals and erasures
          new Object[] {"GET", "/admin/reviews", null},
          new Object[] {"POST", "/admin/reviews/some-version/approve", Map.of("justification", "looks fine to a robot")},
          new Object[] {"POST", "/admin/reviews/some-version/reject", Map.of("justification", "looks bad to a robot")},
          new Object[] {"GET", "/admin/erasures", null},
          new Object[] {"POST", "/admin/erasures", Map.of("subject", "carol", "reason", "ticket 7")},
          // a person's own session
          new Object[] {"POST", "/admin/session/password", Map.of("current", "x", "next", "y")});

      Appliance.State before = a.state();
      for (Object[] route : json) {
        Appliance.Answer r = a.call(op, (String) route[0], (String) route[1], route[2]);
        assertThat(r.status()).as("%s %s: %s", route[0], route[1], r.body()).isEqualTo(403);
        assertThat(r.code()).as("%s %s", route[0], route[1]).isEqualTo("person_required");
        assertThat(r.message()).as("%s %s", route[0], route[1]).isEqualTo("The operator token cannot do this: it only"
            + " drives apps and keys, model activations and aliases, backends, bundle imports and metrics. Users and"
            + " roles, approvals, pending changes, policy, trust and erasures need a person: sign in"
            + " (POST /admin/session) and send your session token instead.");
      }
      Appliance.Answer yaml = a.post(op, "/admin/policy", "application/yaml",
          "format: airlock.policy/v1\nname: robo\nrules: []\n");
      assertThat(yaml.status()).isEqualTo(403);
      assertThat(yaml.message()).isEqualTo(Access.OPERATOR_TOKEN_REFUSED);

      // The console's forms, sent with the token as a bearer: the same refusal, as a page.
      for (String path : List.of("/console/users", "/console/users/dora/roles", "/console/changes/" + change + "/confirm",
          "/console/changes/" + change + "/decline", "/console/policy/activate", "/console/trust")) {
        HttpResponse<String> page = app.http.send(HttpRequest.newBuilder(app.url(path))
            .header("authorization", "Bearer " + op).header("content-type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("name=op-policy&version=1&username=robo&ADMIN=on")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).as(path).isEqualTo(403);
        assertThat(page.body()).as(path).contains(Access.OPERATOR_TOKEN_REFUSED);
      }
      assertThat(a.state()).isEqualTo(before);

      // What it is for still works.
      assertThat(a.call(op, "POST", "/admin/apps", Map.of("name", "robot-app", "grants", List.of())).status()).isEqualTo(201);
      assertThat(a.call(op, "GET", "/admin/models", null).status()).isEqualTo(200);
    }
  }
}
