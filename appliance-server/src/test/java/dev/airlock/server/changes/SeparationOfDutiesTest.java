package dev.airlock.server.changes;

import static dev.airlock.server.changes.Appliance.roles;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
import dev.airlock.server.console.ConsoleClient;
import dev.airlock.server.gateway.TestAppliance;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separation of duties on a running appliance, over the admin API and the console: no account is
 * both ADMIN and DPO; giving DPO or AUDITOR, activating a policy and trusting a key take an ADMIN
 * who proposes and a different DPO who confirms; each refusal says what to do and changes nothing
 * (accounts, pending changes, active policy, trust store, audit log).
 */
class SeparationOfDutiesTest {
  @TempDir static Path dir;
  static Appliance a;
  static String adam;
  static String abe;
  static String dora;
  static String dan;

  @BeforeAll
  static void start() throws Exception {
    a = new Appliance(TestAppliance.start(dir, List.of(), Map.of()));
    a.bootstrap("adam", List.of("dora", "dan"), List.of());
    Users.Created second = a.users.create("abe", "Abe", EnumSet.of(Role.ADMIN), "test");
    a.users.changePassword("abe", second.oneTimePassword().toCharArray(), Appliance.password("abe").toCharArray());
    adam = a.token("adam");
    abe = a.token("abe");
    dora = a.token("dora");
    dan = a.token("dan");
  }

  @AfterAll
  static void stop() {
    if (a != null) a.app.close();
  }

  @Test
  void anAdminGivingItselfDpoIsRefusedAndNothingChanges() throws Exception {
    ConsoleClient console = new ConsoleClient(a.app.url("/"));
    assertThat(console.signIn("adam", Appliance.password("adam")).statusCode()).isEqualTo(303);
    console.get("/console/users");
    Appliance.State before = a.state();
    Appliance.Answer r = a.call(adam, "PUT", "/admin/users/adam/roles", roles("ADMIN", "DPO"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("separation_of_duties");
    assertThat(r.message()).isEqualTo("No account may hold both ADMIN and DPO: whoever runs the appliance must not also"
        + " approve what it serves. Make two accounts, one with ADMIN and one with DPO, for two different people.");

    HttpResponse<String> page = console.post("/console/users/adam/roles", Map.of("ADMIN", "on", "DPO", "on"));
    assertThat(page.statusCode()).isEqualTo(403);
    assertThat(page.body()).contains("class=\"error\"").contains(Users.SEPARATION_OF_DUTIES);
    assertThat(a.state()).isEqualTo(before);
  }

  @Test
  void anAccountWithAdminAndDpoCannotBeCreated() throws Exception {
    Appliance.State before = a.state();
    Appliance.Answer r = a.call(adam, "POST", "/admin/users", Map.of("username", "zed", "roles", List.of("ADMIN", "DPO")));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("separation_of_duties");
    assertThat(r.message()).isEqualTo(Users.SEPARATION_OF_DUTIES);
    assertThat(a.users.find("zed")).isEmpty();
    assertThat(a.state()).isEqualTo(before);
  }

  @Test
  void anAdminCreatingADpoAloneOnlyProposesIt() throws Exception {
    int from = a.app.auditCount();
    Appliance.Answer r = a.call(adam, "POST", "/admin/users", Map.of("username", "erin", "displayName", "Erin",
        "roles", List.of("DPO")));
    assertThat(r.status()).as(r.body().toString()).isEqualTo(202);
    String id = r.body().at("/change/id").asText();
    assertThat(r.body().has("oneTimePassword")).isFalse();
    assertThat(r.body().at("/roles")).isEmpty();
    assertThat(r.body().at("/pendingRoles/0").asText()).isEqualTo("DPO");
    assertThat(r.body().at("/message").asText()).isEqualTo("Give DPO to erin (a new account; its one-time password"
        + " goes to the proposer once confirmed): this waits for a DPO other than you to confirm it (GET /admin/changes"
        + " lists it); until then erin does not hold it. Then collect erin's one-time password with POST /admin/changes/"
        + id + "/one-time-password (only you can, once) and hand it over.");
    assertThat(a.users.find("erin").orElseThrow().roles()).isEmpty();

    List<ObjectNode> records = a.recordsSince(from);
    assertThat(records).singleElement().satisfies(rec -> {
      assertThat(rec.path("type").asText()).isEqualTo("change.proposed");
      assertThat(rec.path("actor").asText()).isEqualTo("user:adam");
      assertThat(rec.at("/payload/username").asText()).isEqualTo("erin");
      assertThat(rec.at("/payload/roles/0").asText()).isEqualTo("DPO");
      assertThat(rec.at("/fields/kind").asText()).isEqualTo("role.grant");
      assertThat(rec.path("fields").toString()).doesNotContain("erin");
    });

    // Nobody knows a password for it, and the proposer gets none before a DPO confirms.
    Appliance.State before = a.state();
    Appliance.Answer early = a.call(adam, "POST", "/admin/changes/" + id + "/one-time-password", null);
    assertThat(early.status()).isEqualTo(409);
    assertThat(early.code()).isEqualTo("not_confirmed");
    assertThat(early.message()).isEqualTo("The one-time password of erin is released once a DPO confirms the change;"
        + " it is still waiting.");
    assertThat(a.users.checkPassword("erin", "".toCharArray())).isFalse();
    assertThat(a.state()).isEqualTo(before);
    assertThat(a.call(dora, "GET", "/admin/changes", null).body().at("/data").findValuesAsText("id")).contains(id);
  }

  @Test
  void theAdminWhoProposedCannotConfirm() throws Exception {
    String id = a.call(adam, "POST", "/admin/trust", Map.of("name", "own-proposal-key", "role", "transfer",
        "pem", Appliance.newKeyPem())).body().at("/change/id").asText();
    Appliance.State before = a.state();
    Appliance.Answer r = a.call(adam, "POST", "/admin/changes/" + id + "/confirm", null);
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.message()).isEqualTo("This needs the role DPO, which no ADMIN holds: whoever runs the appliance does"
        + " not also approve for it. Ask a DPO to do it.");
    assertThat(a.state()).isEqualTo(before);

    // An ADMIN who later becomes a DPO still cannot confirm what it proposed as an ADMIN.
    Users.Created ivy = a.users.create("ivy", "Ivy", EnumSet.of(Role.ADMIN), "test");
    a.users.changePassword("ivy", ivy.oneTimePassword().toCharArray(), Appliance.password("ivy").toCharArray());
    a.savedPolicy("ivy-policy", "ivy");
    String own = a.call(a.token("ivy"), "POST", "/admin/policy/ivy-policy/versions/1/activate", null)
        .body().at("/change/id").asText();
    String grant = a.call(abe, "PUT", "/admin/users/ivy/roles", roles("DPO")).body().at("/change/id").asText();
    assertThat(a.call(dora, "POST", "/admin/changes/" + grant + "/confirm", null).status()).isEqualTo(200);
    assertThat(a.users.find("ivy").orElseThrow().roles()).containsExactly(Role.DPO);
    before = a.state();
    Appliance.Answer self = a.call(a.token("ivy"), "POST", "/admin/changes/" + own + "/confirm", null);
    assertThat(self.status()).isEqualTo(403);
    assertThat(self.code()).isEqualTo("own_proposal");
    assertThat(self.message()).isEqualTo("You proposed this change, so you cannot confirm it: a DPO other than you must.");
    assertThat(a.state()).isEqualTo(before);
  }

  @Test
  void theDpoAGrantIsForCannotConfirmIt() throws Exception {
    Appliance.Answer proposed = a.call(adam, "PUT", "/admin/users/dan/roles", roles("DPO", "AUDITOR"));
    assertThat(proposed.status()).isEqualTo(202);
    String id = proposed.body().at("/change/id").asText();
    Appliance.State before = a.state();
    Appliance.Answer r = a.call(dan, "POST", "/admin/changes/" + id + "/confirm", null);
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("own_grant");
    assertThat(r.message()).isEqualTo("This change gives your own account new powers, so you cannot confirm it: another"
        + " DPO must.");
    assertThat(a.users.find("dan").orElseThrow().roles()).containsExactly(Role.DPO);
    assertThat(a.state()).isEqualTo(before);

    assertThat(a.call(dora, "POST", "/admin/changes/" + id + "/confirm", null).status()).isEqualTo(200);
    assertThat(a.users.find("dan").orElseThrow().roles()).containsExactlyInAnyOrder(Role.DPO, Role.AUDITOR);
    dan = a.token("dan"); // a role change ends the user's sessions
  }

  @Test
  void aDpoConfirmingAppliesTheChangeAndOneRecordNamesBoth() throws Exception {
    // A new account with a role that takes a second person.
    String id = a.call(adam, "POST", "/admin/users", Map.of("username", "finn", "roles", List.of("AUDITOR")))
        .body().at("/change/id").asText();
    int from = a.app.auditCount();
    Appliance.Answer confirmed = a.call(dora, "POST", "/admin/changes/" + id + "/confirm", null);
    assertThat(confirmed.status()).as(confirmed.body().toString()).isEqualTo(200);
    assertThat(confirmed.body().at("/state").asText()).isEqualTo("CONFIRMED");
    assertThat(a.users.find("finn").orElseThrow().roles()).containsExactly(Role.AUDITOR);
    assertOneRecordNamesBoth(from, "user.roles_granted", "adam", "dora");

    // Its one-time password: to the proposer, once; the confirming DPO never sees it.
    Appliance.Answer asDpo = a.call(dora, "POST", "/admin/changes/" + id + "/one-time-password", null);
    assertThat(asDpo.status()).isEqualTo(403);
    assertThat(asDpo.message()).isEqualTo("This needs the role ADMIN; you have DPO. Ask an administrator.");
    Appliance.Answer otherAdmin = a.call(abe, "POST", "/admin/changes/" + id + "/one-time-password", null);
    assertThat(otherAdmin.status()).isEqualTo(403);
    assertThat(otherAdmin.message()).isEqualTo("Only adam, who proposed this change, receives the one-time password of"
        + " finn: ask them.");
    Appliance.Answer released = a.call(adam, "POST", "/admin/changes/" + id + "/one-time-password", null);
    assertThat(released.status()).isEqualTo(200);
    String password = released.body().at("/oneTimePassword").asText();
    assertThat(a.users.checkPassword("finn", password.toCharArray())).isTrue();
    assertThat(a.users.find("finn").orElseThrow().mustChangePassword()).isTrue();
    Appliance.Answer again = a.call(adam, "POST", "/admin/changes/" + id + "/one-time-password", null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.message()).isEqualTo("The one-time password of finn was already released; it is never shown twice."
        + " If it was lost, reset the password (a DPO confirms it again).");

    // A policy activation.
    a.savedPolicy("two-person-policy", "adam");
    Appliance.Answer proposed = a.call(adam, "POST", "/admin/policy/two-person-policy/versions/1/activate", null);
    assertThat(proposed.status()).isEqualTo(202);
    assertThat(a.state().activePolicy()).isNotEqualTo("two-person-policy@1");
    from = a.app.auditCount();
    assertThat(a.call(dan, "POST", "/admin/changes/" + proposed.body().at("/change/id").asText() + "/confirm", null)
        .status()).isEqualTo(200);
    assertThat(a.state().activePolicy()).isEqualTo("two-person-policy@1");
    assertThat(a.call(adam, "GET", "/admin/policy", null).body().at("/active/activatedBy").asText())
        .isEqualTo("user:adam, confirmed by user:dan");
    assertOneRecordNamesBoth(from, "policy.activated", "adam", "dan");

    // A trusted key.
    proposed = a.call(adam, "POST", "/admin/trust", Map.of("name", "two-person-key", "role", "publisher",
        "pem", Appliance.newKeyPem()));
    assertThat(proposed.status()).isEqualTo(202);
    assertThat(a.state().trusted()).doesNotContain("two-person-key");
    from = a.app.auditCount();
    assertThat(a.call(dora, "POST", "/admin/changes/" + proposed.body().at("/change/id").asText() + "/confirm", null)
        .status()).isEqualTo(200);
    assertThat(a.state().trusted()).contains("two-person-key");
    assertOneRecordNamesBoth(from, "trust.added", "adam", "dora");
  }

  private static void assertOneRecordNamesBoth(int from, String type, String proposer, String confirmer) throws Exception {
    assertThat(a.recordsSince(from)).singleElement().satisfies(rec -> {
      assertThat(rec.path("type").asText()).isEqualTo(type);
      assertThat(rec.path("actor").asText()).isEqualTo("user:" + confirmer);
      assertThat(rec.at("/payload/proposedBy").asText()).isEqualTo(proposer);
      assertThat(rec.at("/payload/confirmedBy").asText()).isEqualTo(confirmer);
      // people are named only in the sealed payload, never in the searchable index fields
      assertThat(rec.path("fields").has("proposedBy")).isFalse();
      assertThat(rec.path("fields").has("confirmedBy")).isFalse();
    });
  }

  @Test
  void aDeclinedChangeIsNeverApplied() throws Exception {
    String id = a.call(adam, "POST", "/admin/trust", Map.of("name", "declined-key", "role", "transfer",
        "pem", Appliance.newKeyPem())).body().at("/change/id").asText();
    int from = a.app.auditCount();
    Appliance.Answer declined = a.call(dora, "POST", "/admin/changes/" + id + "/decline", null);
    assertThat(declined.status()).isEqualTo(200);
    assertThat(declined.body().at("/state").asText()).isEqualTo("DECLINED");
    assertThat(a.recordsSince(from)).singleElement().satisfies(rec -> {
      assertThat(rec.path("type").asText()).isEqualTo("change.declined");
      assertThat(rec.at("/payload/proposedBy").asText()).isEqualTo("adam");
      assertThat(rec.at("/payload/declinedBy").asText()).isEqualTo("dora");
    });
    Appliance.State before = a.state();
    Appliance.Answer late = a.call(dan, "POST", "/admin/changes/" + id + "/confirm", null);
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.message()).startsWith("This change was already declined by dora at ").endsWith("; nothing was done.");
    assertThat(a.state()).isEqualTo(before);
    assertThat(a.state().trusted()).doesNotContain("declined-key");

    // The proposer may withdraw it; another ADMIN may not decline it.
    String other = a.call(adam, "POST", "/admin/trust", Map.of("name", "withdrawn-key", "role", "transfer",
        "pem", Appliance.newKeyPem())).body().at("/change/id").asText();
    before = a.state();
    Appliance.Answer notYours = a.call(abe, "POST", "/admin/changes/" + other + "/decline", null);
    assertThat(notYours.status()).isEqualTo(403);
    assertThat(notYours.message()).isEqualTo("Only a DPO, or the ADMIN who proposed it (adam), may decline this change.");
    assertThat(a.state()).isEqualTo(before);
    assertThat(a.call(adam, "POST", "/admin/changes/" + other + "/decline", null).status()).isEqualTo(200);
  }

  @Test
  void takingARoleAwayNeedsNobodyElse() throws Exception {
    Users.Created gus = People.create(a.ctx, "gus", "Gus", EnumSet.of(Role.AUDITOR));
    assertThat(gus.user().roles()).containsExactly(Role.AUDITOR);
    Appliance.Answer r = a.call(adam, "PUT", "/admin/users/gus/roles", roles("ADMIN"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().has("change")).isFalse();
    assertThat(a.users.find("gus").orElseThrow().roles()).containsExactly(Role.ADMIN);
  }

  @Test
  void resettingADposPasswordTakesTheRoleAwayUntilAnotherDpoConfirms() throws Exception {
    People.withPassword(a.ctx, "hana", "Hana", EnumSet.of(Role.DPO), Appliance.password("hana"));
    Appliance.Answer r = a.call(adam, "POST", "/admin/users/hana/reset-password", null);
    assertThat(r.status()).isEqualTo(202);
    assertThat(r.body().has("oneTimePassword")).isFalse();
    assertThat(a.users.find("hana").orElseThrow().roles()).isEmpty();
    assertThat(a.users.checkPassword("hana", Appliance.password("hana").toCharArray())).isFalse();
    String id = r.body().at("/change/id").asText();
    assertThat(a.call(dora, "POST", "/admin/changes/" + id + "/confirm", null).status()).isEqualTo(200);
    assertThat(a.users.find("hana").orElseThrow().roles()).containsExactly(Role.DPO);
    String password = a.call(adam, "POST", "/admin/changes/" + id + "/one-time-password", null)
        .body().at("/oneTimePassword").asText();
    assertThat(a.users.checkPassword("hana", password.toCharArray())).isTrue();
  }

  @Test
  void anAccountHoldingAdminAndDpoFromBeforeCannotActAsADpo() throws Exception {
    Users.Created olda = a.users.create("olda", "Olda", EnumSet.of(Role.ADMIN), "test");
    a.users.changePassword("olda", olda.oneTimePassword().toCharArray(), Appliance.password("olda").toCharArray());
    // as an older version left it: both roles on one account
    try (Connection c = a.ctx.getBean(ApplianceDatabase.class).dataSource().getConnection();
         PreparedStatement ps = c.prepareStatement("INSERT INTO console_user_role (username, role) VALUES ('olda', 'DPO')")) {
      ps.executeUpdate();
    }
    String token = a.token("olda");
    String id = a.call(adam, "POST", "/admin/trust", Map.of("name", "olda-key", "role", "transfer",
        "pem", Appliance.newKeyPem())).body().at("/change/id").asText();
    Appliance.State before = a.state();
    String split = "Your account 'olda' holds both ADMIN and DPO, which no account may hold, so it cannot act as a DPO."
        + " An ADMIN must split it: remove one of the two roles from this account (the console's Users page, or"
        + " PUT /admin/users/olda/roles) and give that role to a second account for another person.";
    assertThat(Access.splitAccount("olda")).isEqualTo(split);
    for (String[] route : List.of(new String[] {"POST", "/admin/changes/" + id + "/confirm"},
        new String[] {"GET", "/admin/reviews"})) {
      Appliance.Answer r = a.call(token, route[0], route[1], null);
      assertThat(r.status()).as(route[1]).isEqualTo(403);
      assertThat(r.code()).isEqualTo("separation_of_duties");
      assertThat(r.message()).isEqualTo(split);
    }
    assertThat(a.state()).isEqualTo(before);
    assertThat(a.call(token, "GET", "/admin/apps", null).status()).as("still an ADMIN").isEqualTo(200);

    // An ADMIN splits it; taking DPO away needs nobody else.
    assertThat(a.call(adam, "PUT", "/admin/users/olda/roles", roles("ADMIN")).status()).isEqualTo(200);
    assertThat(a.users.find("olda").orElseThrow().roles()).containsExactly(Role.ADMIN);
  }
}
