package dev.airlock.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.server.vocabulary.Refusal;
import dev.airlock.server.changes.People;
import dev.airlock.server.gateway.TestAppliance;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The users service keeps separation of duties for every caller, not only the HTTP routes: no
 * account holds ADMIN and DPO, DPO and AUDITOR are never given on one person's word, and
 * bootstrap makes only the first accounts. Each refusal leaves the accounts and the audit log as
 * they were.
 */
class UsersTest {
  @TempDir static Path dir;
  static TestAppliance app;
  static Users users;

  @BeforeAll
  static void start() throws Exception {
    app = TestAppliance.start(dir, List.of(), Map.of());
    users = app.server.getApplicationContext().getBean(Users.class);
    users.bootstrap(new Users.FirstAccounts(Optional.of("root"), List.of("dpo-one", "dpo-two"), List.of("aud")), "test");
  }

  @AfterAll
  static void stop() {
    if (app != null) app.close();
  }

  private record Snapshot(List<String> users, long records) {}

  private static Snapshot snapshot() {
    return new Snapshot(users.list().stream().map(u -> u.username() + " " + u.roles() + " " + u.disabled()).toList(),
        app.auditLog().size());
  }

  @Test
  void bootstrapMadeTheFirstAdminDposAndAuditorEachWithAOneTimePassword() {
    assertThat(users.find("root").orElseThrow().roles()).containsExactly(Role.ADMIN);
    assertThat(users.find("dpo-one").orElseThrow().roles()).containsExactly(Role.DPO);
    assertThat(users.find("dpo-two").orElseThrow().roles()).containsExactly(Role.DPO);
    assertThat(users.find("aud").orElseThrow().roles()).containsExactly(Role.AUDITOR);
    assertThat(users.find("dpo-one").orElseThrow().mustChangePassword()).isTrue();
  }

  @Test
  void bootstrapMakesNoMoreAdminsAndNoMoreDposOnceOneCanConfirm() {
    Snapshot before = snapshot();
    assertThatThrownBy(() -> users.bootstrap(Users.FirstAccounts.admin("second-root"), "test"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("an ADMIN already exists: sign in as that admin to add users; 'admin bootstrap' only makes the first one");
    assertThatThrownBy(() -> users.bootstrap(new Users.FirstAccounts(Optional.empty(), List.of("dpo-three"), List.of()), "test"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a DPO already exists: new DPOs and AUDITORs are proposed by an ADMIN (the console's Users page or"
            + " POST /admin/users) and confirmed by a DPO; 'admin bootstrap' only makes the first ones");
    assertThatThrownBy(() -> users.bootstrap(new Users.FirstAccounts(Optional.empty(), List.of(), List.of("aud-two")), "test"))
        .hasMessageStartingWith("a DPO already exists");
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void createRefusesAdminAndDpoOnOneAccount() {
    Snapshot before = snapshot();
    assertThatThrownBy(() -> users.create("both", "Both", EnumSet.of(Role.ADMIN, Role.DPO), "user:root"))
        .isInstanceOfSatisfying(Refusal.class, r -> {
          assertThat(r.status()).isEqualTo(403);
          assertThat(r.code()).isEqualTo("separation_of_duties");
        })
        .hasMessage(Users.SEPARATION_OF_DUTIES);
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void setRolesRefusesAdminAndDpoOnOneAccount() {
    Snapshot before = snapshot();
    assertThatThrownBy(() -> users.setRoles("root", EnumSet.of(Role.ADMIN, Role.DPO), "user:root"))
        .isInstanceOf(Refusal.class).hasMessage(Users.SEPARATION_OF_DUTIES);
    assertThatThrownBy(() -> users.setRoles("dpo-one", EnumSet.of(Role.ADMIN, Role.DPO), "user:root"))
        .isInstanceOf(Refusal.class).hasMessage(Users.SEPARATION_OF_DUTIES);
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void dpoAndAuditorAreNeverGivenOnOnePersonsWord() {
    Snapshot before = snapshot();
    assertThatThrownBy(() -> users.create("solo", "Solo", EnumSet.of(Role.DPO), "user:root"))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.code()).isEqualTo("second_person_required"))
        .hasMessage("giving a new account DPO takes a second person: an ADMIN proposes it and a DPO confirms it"
            + " (POST /admin/users and PUT /admin/users/{username}/roles propose it; the DPO confirms under /admin/changes)");
    assertThatThrownBy(() -> users.setRoles("aud", EnumSet.of(Role.AUDITOR, Role.DPO), "user:root"))
        .isInstanceOf(Refusal.class).hasMessageStartingWith("giving an account DPO takes a second person");
    assertThatThrownBy(() -> users.resetPassword("dpo-two", "user:root"))
        .isInstanceOf(Refusal.class).hasMessage("resetting the password of a DPO or AUDITOR takes a second person:"
            + " an ADMIN proposes it and a DPO confirms it");
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void takingDpoOrAuditorAwayNeedsNobodyElse() {
    People.create(app.server.getApplicationContext(), "leaver", "Leaver", EnumSet.of(Role.DPO, Role.AUDITOR));
    assertThat(users.setRoles("leaver", EnumSet.of(Role.AUDITOR), "user:root").roles()).containsExactly(Role.AUDITOR);
    assertThat(users.setRoles("leaver", EnumSet.of(Role.ADMIN), "user:root").roles()).containsExactly(Role.ADMIN);
  }

  @Test
  void theOperatorTokensNameIsNotAUsername() {
    assertThatThrownBy(() -> users.create(Principal.OPERATOR_TOKEN, "x", EnumSet.of(Role.ADMIN), "user:root"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'operator-token' names the operator token in audit records; choose another username");
  }

  @Test
  void theBootstrapCommandTakesDposAndAuditorsAndSaysHowToUseIt() {
    assertThat(Bootstrap.parse(new String[] {"admin", "bootstrap"})).contains(Users.FirstAccounts.admin("admin"));
    assertThat(Bootstrap.parse(new String[] {"admin", "bootstrap", "--username", "ops", "--dpo", "d1", "--dpo", "d2",
        "--auditor", "a1"})).contains(new Users.FirstAccounts(Optional.of("ops"), List.of("d1", "d2"), List.of("a1")));
    assertThat(Bootstrap.parse(new String[] {"admin", "bootstrap", "--dpo", "d1"}))
        .contains(new Users.FirstAccounts(Optional.empty(), List.of("d1"), List.of()));
    assertThat(Bootstrap.parse(new String[] {"admin", "bootstrap", "--dpo"})).isEmpty();
    assertThat(Bootstrap.parse(new String[] {"admin", "bootstrap", "--boss", "x"})).isEmpty();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Bootstrap.run(new String[] {"admin", "bootstrap", "--dpo"}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--dpo NAME").contains("--auditor NAME");
  }
}
