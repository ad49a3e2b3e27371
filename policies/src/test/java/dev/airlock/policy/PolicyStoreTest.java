package dev.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;

/** The policy version store, on H2 (as embedded) and PostgreSQL (when one answers). */
class PolicyStoreTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);
  @TempDir Path tmp;

  DataSource database(String kind) throws SQLException {
    DataSource ds;
    if (kind.equals("h2")) {
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL("jdbc:h2:file:" + tmp.resolve("db") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
      ds = h2;
    } else {
      String url = Optional.ofNullable(System.getenv("AIRLOCK_TEST_POSTGRES_URL"))
          .orElse("jdbc:postgresql://127.0.0.1:5432/postgres");
      String user = Optional.ofNullable(System.getenv("AIRLOCK_TEST_POSTGRES_USER")).orElse("postgres");
      String password = Optional.ofNullable(System.getenv("AIRLOCK_TEST_POSTGRES_PASSWORD")).orElse("");
      String schema = "policy_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      try (Connection c = DriverManager.getConnection(url + "?connectTimeout=2", user, password)) {
        c.createStatement().execute("CREATE SCHEMA " + schema);
      } catch (SQLException e) {
        assumeTrue(false, "PostgreSQL not reachable at " + url + " (" + e.getMessage() + "): skipped");
      }
      PGSimpleDataSource pg = new PGSimpleDataSource();
      pg.setUrl(url);
      pg.setUser(user);
      pg.setPassword(password);
      pg.setCurrentSchema(schema);
      ds = pg;
    }
    Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    return ds;
  }

  static Policy policy(String name, String extraRule) throws InvalidPolicyException {
    return PolicyFile.parse("format: airlock.policy/v1\nname: " + name + "\ndescription: d\nrules:\n"
        + "  - id: deny-pickle\n    description: d\n    kind: pickle-weights\n    verdict: DENY\n    how_to_fix: f\n"
        + extraRule, name + ".yaml");
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void savesNumberedVersionsAndKeepsThemExactly(String kind) throws Exception {
    PolicyStore store = new PolicyStore(database(kind), CLOCK);
    Policy v1 = policy("acme", "");
    Policy v2 = policy("acme", "  - id: deny-code\n    description: d\n    kind: custom-code\n    verdict: DENY\n    how_to_fix: f\n");
    assertThat(store.save(v1, "dpo-anna").version()).isEqualTo(1);
    assertThat(store.save(v1, "dpo-anna").version()).as("same text: same version").isEqualTo(1);
    PolicyStore.StoredPolicy saved = store.save(v2, "dpo-ben");
    assertThat(saved.version()).isEqualTo(2);
    assertThat(store.versions("acme")).extracting(PolicyStore.StoredPolicy::version).containsExactly(1, 2);
    PolicyStore.StoredPolicy back = store.get("acme", 2).orElseThrow();
    assertThat(back.policy()).isEqualTo(v2);
    assertThat(back.savedBy()).isEqualTo("dpo-ben");
    assertThat(back.savedAt()).isEqualTo(CLOCK.instant());
    assertThat(back.sha256()).isEqualTo(saved.sha256());
    assertThat(store.get("acme", 3)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void activatingReturnsThePreviousPolicySoEveryModelCanBeJudgedAgain(String kind) throws Exception {
    PolicyStore store = new PolicyStore(database(kind), CLOCK);
    store.save(PolicyFile.pack("enterprise-default"), "admin");
    store.save(PolicyFile.pack("permissive-only"), "admin");
    assertThat(store.active()).isEmpty();
    assertThat(store.activate("enterprise-default", 1, "admin")).isEmpty();
    Optional<PolicyStore.StoredPolicy> previous = store.activate("permissive-only", 1, "dpo-anna");
    assertThat(previous).map(PolicyStore.StoredPolicy::name).contains("enterprise-default");
    assertThat(store.active()).map(PolicyStore.StoredPolicy::name).contains("permissive-only");
    assertThat(store.activations()).extracting(PolicyStore.Activation::name, PolicyStore.Activation::activatedBy)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("enterprise-default", "admin"),
            org.assertj.core.groups.Tuple.tuple("permissive-only", "dpo-anna"));

    // What the server does on activation: judge every model again, flag approved regressions.
    Map<String, PolicyFacts> catalog = Map.of("gemma", Models.gemma(), "qwen3", Models.qwen3Like());
    var before = PolicyChange.reevaluate(previous.orElseThrow().policy(), catalog, PackVerdictsTest.COMPANY);
    var after = PolicyChange.reevaluate(store.active().orElseThrow().policy(), catalog, PackVerdictsTest.COMPANY);
    Map<String, Verdict> approved = Map.of("gemma", before.get("gemma").verdict(), "qwen3", before.get("qwen3").verdict());
    assertThat(PolicyChange.regressions(approved, after)).extracting(PolicyChange.Regression::model)
        .containsExactly("gemma");
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void refusesToActivateAVersionNeverSaved(String kind) throws Exception {
    PolicyStore store = new PolicyStore(database(kind), CLOCK);
    assertThatThrownBy(() -> store.activate("ghost", 1, "admin"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no saved version 1 of policy 'ghost'; save the policy first, then activate the version it was given");
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void storesThePacksVerbatim(String kind) throws Exception {
    PolicyStore store = new PolicyStore(database(kind), CLOCK);
    for (String pack : List.of("permissive-only", "enterprise-default", "eu-public-sector")) {
      Policy p = PolicyFile.pack(pack);
      int v = store.save(p, "installer").version();
      assertThat(store.get(pack, v).orElseThrow().policy().source()).isEqualTo(p.source());
    }
  }
}
