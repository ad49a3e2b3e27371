package dev.airlock.server.policy;

import dev.airlock.audit.AuditLog;
import dev.airlock.policy.Evaluation;
import dev.airlock.policy.InvalidPolicyException;
import dev.airlock.policy.OrgProfile;
import dev.airlock.policy.OrgProfileStore;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyChange;
import dev.airlock.policy.PolicyFacts;
import dev.airlock.policy.PolicyFile;
import dev.airlock.policy.PolicyStore;
import dev.airlock.policy.PolicyStore.StoredPolicy;
import dev.airlock.policy.Verdict;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.server.vocabulary.Sql;
import dev.airlock.server.vocabulary.AdminRecords;
import dev.airlock.vault.catalog.ModelVersion;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * The operator's policy work: what is active and stored, saving a pasted version, what a version
 * changes (rules and verdicts of approved models) and activating it. Saving writes its audit
 * record ({@code policy.saved}) in the same database transaction: if the record cannot be written,
 * the save is rolled back. Activating takes a second person: an ADMIN proposes it, a DPO confirms
 * it, and the confirmation ({@code changes.PolicyActivation}) calls {@link #activateOn} on its own
 * transaction, with the one record that names both.
 */
@Singleton
public class PolicyAdmin {
  /** Pasted policies larger than this are refused unread, as policy files are. */
  static final int MAX_POLICY_BYTES = 1024 * 1024;

  private final PolicyStore store;
  private final DataSource db;
  private final AuditLog audit;
  private final VaultModels models;

  public PolicyAdmin(PolicyStore store, ApplianceDatabase database, AuditLog audit, VaultModels models) {
    this.store = store;
    this.db = database.dataSource();
    this.audit = audit;
    this.models = models;
  }

  /** A shipped pack, for the operator to start from. */
  public record Pack(String name, String description, int rules, String source) {}

  /** The active version with when and by whom it was activated. */
  public record Active(StoredPolicy policy, PolicyStore.Activation activation) {}

  /** A version just saved (or an identical one found), with what activating it would change. */
  public record Saved(StoredPolicy policy, boolean created, Preview preview) {}

  /** What activating a version would change, against the active one (if any). */
  public record Preview(StoredPolicy policy, Optional<StoredPolicy> active, Optional<PolicyDiff> diff,
                        Reevaluation reevaluation) {
    public boolean alreadyActive() {
      return active.map(a -> a.name().equals(policy.name()) && a.version() == policy.version()).orElse(false);
    }
  }

  /** The result of an activation: the version now active and the one it replaced. */
  public record Activated(StoredPolicy policy, Optional<StoredPolicy> previous) {}

  public Optional<Active> active() {
    try {
      Optional<StoredPolicy> p = store.active();
      if (p.isEmpty()) return Optional.empty();
      List<PolicyStore.Activation> all = store.activations();
      return Optional.of(new Active(p.get(), all.get(all.size() - 1)));
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  /** Every stored version of every policy, by name then version. */
  public List<StoredPolicy> versions() {
    List<String> names = Sql.query(db, "SELECT DISTINCT name FROM policy_version ORDER BY name", ps -> {}, rs -> {
      List<String> out = new ArrayList<>();
      while (rs.next()) out.add(rs.getString(1));
      return out;
    });
    try {
      List<StoredPolicy> out = new ArrayList<>();
      for (String n : names) out.addAll(store.versions(n));
      return out;
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  public List<Pack> packs() {
    return PolicyFile.PACKS.stream().sorted().map(n -> {
      Policy p = PolicyFile.pack(n);
      return new Pack(n, p.description(), p.rules().size(), p.source());
    }).toList();
  }

  /** The number of different DPOs who must approve a model under this policy (1 unless it says more). */
  public static Optional<Integer> approvals(Policy policy) {
    return Optional.of(policy.approvals());
  }

  public StoredPolicy version(String name, int version) {
    try {
      return store.get(name, version).orElseThrow(() -> new NoSuchElementException("no saved version " + version
          + " of policy '" + name + "': list the versions with GET /admin/policy"));
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  /**
   * Validates pasted YAML and saves it as the next version of its policy (nothing is saved when
   * it is invalid; text identical to the latest version saves nothing either).
   *
   * @throws InvalidPolicyException with every problem and where it is
   */
  public Saved save(String yaml, String actor) throws InvalidPolicyException {
    if (yaml == null || yaml.isBlank()) {
      throw new IllegalArgumentException("paste the policy's YAML: it starts with 'format: airlock.policy/v1'");
    }
    if (yaml.getBytes(StandardCharsets.UTF_8).length > MAX_POLICY_BYTES) {
      throw new IllegalArgumentException("a policy is at most " + MAX_POLICY_BYTES + " bytes; is this the right text?");
    }
    Policy policy = PolicyFile.parse(yaml, "the pasted policy");
    AtomicReference<StoredPolicy> saved = new AtomicReference<>();
    AtomicReference<Boolean> created = new AtomicReference<>(false);
    Sql.inTransaction(db, c -> {
      List<StoredPolicy> before = store.versions(c, policy.name());
      StoredPolicy s = store.save(c, policy, actor);
      saved.set(s);
      if (!before.isEmpty() && before.get(before.size() - 1).version() == s.version()) return;
      created.set(true);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("policy", s.name());
      details.put("policyVersion", s.version());
      details.put("sha256", s.sha256().hex());
      details.put("rules", s.policy().rules().size());
      audit.append(AdminRecords.of("policy.saved", actor, details));
    });
    return new Saved(saved.get(), created.get(), preview(saved.get()));
  }

  public Preview preview(String name, int version) {
    return preview(version(name, version));
  }

  /**
   * The version to activate, refused when it does not exist (404) or is active already (409):
   * checked before an activation is proposed, and again when it is confirmed.
   */
  public StoredPolicy requireActivatable(String name, int version) {
    StoredPolicy target = version(name, version);
    Optional<StoredPolicy> active;
    try {
      active = store.active();
    } catch (SQLException e) {
      throw failed(e);
    }
    if (active.isPresent() && active.get().name().equals(name) && active.get().version() == version) {
      throw alreadyActive(name, version);
    }
    return target;
  }

  /**
   * Makes a saved version the active policy on the caller's transaction and returns the version it
   * replaced. Writes no audit record: the caller (a confirmed two-person change) writes the one
   * that names everyone involved, on the same transaction.
   */
  public Activated activateOn(Connection c, String name, int version, String activatedBy) throws SQLException {
    StoredPolicy target = store.get(c, name, version).orElseThrow(() -> new NoSuchElementException("no saved version "
        + version + " of policy '" + name + "': list the versions with GET /admin/policy"));
    Optional<StoredPolicy> before = store.active(c);
    if (before.isPresent() && before.get().name().equals(name) && before.get().version() == version) {
      throw alreadyActive(name, version);
    }
    return new Activated(target, store.activate(c, name, version, activatedBy));
  }

  private static IllegalStateException alreadyActive(String name, int version) {
    return new IllegalStateException("version " + version + " of policy '" + name + "' is already active");
  }

  /**
   * The approved or active versions the saved version judges worse than the active policy, each
   * with the reason a suspension gives: what confirming its activation suspends.
   */
  public Map<String, String> regressions(String name, int version) {
    StoredPolicy target = version(name, version);
    return worse(preview(target).reevaluation(), "policy " + target.name() + " version " + target.version());
  }

  /** Version id to the reason a suspension gives, for each model {@code cause} judges worse. */
  static Map<String, String> worse(Reevaluation reevaluation, String cause) {
    Map<String, String> byName = new LinkedHashMap<>();
    for (PolicyChange.Regression r : reevaluation.regressions()) {
      byName.put(r.model(), r.before() + " -> " + r.after());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Reevaluation.Outcome o : reevaluation.models()) {
      String change = byName.get(o.model());
      if (change != null) {
        out.put(o.versionId(), cause + " judges it worse (" + change
            + (o.decidingRules().isEmpty() ? "" : ", by " + String.join(", ", o.decidingRules())) + ")");
      }
    }
    return out;
  }

  private Preview preview(StoredPolicy p) {
    Optional<StoredPolicy> active;
    try {
      active = store.active();
    } catch (SQLException e) {
      throw failed(e);
    }
    return new Preview(p, active, active.map(a -> PolicyDiff.between(a.policy(), p.policy())),
        reevaluate(active.map(StoredPolicy::policy), p.policy()));
  }

  /**
   * Judges every approved and active model under {@code after}, and under {@code before} when a
   * policy is active, both with the active organization profile, as model reviews judge.
   */
  Reevaluation reevaluate(Optional<Policy> before, Policy after) {
    OrgProfile org = activeProfile();
    return reevaluate(before, org, after, org);
  }

  /** The organization profile reviews judge with now: the active one, or nothing stated. */
  OrgProfile activeProfile() {
    try (Connection c = db.getConnection()) {
      return OrgProfileStore.active(c).map(a -> a.profile().profile()).orElse(OrgProfile.unknown());
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  /**
   * Judges every approved and active model under {@code after} with {@code afterOrg}, and under
   * {@code before} (when a policy is active) with {@code beforeOrg}.
   */
  Reevaluation reevaluate(Optional<Policy> before, OrgProfile beforeOrg, Policy after, OrgProfile afterOrg) {
    Map<String, PolicyFacts> facts = new LinkedHashMap<>();
    Map<String, ModelVersion> versions = new LinkedHashMap<>();
    List<String> unreadable = new ArrayList<>();
    for (ModelVersion v : models.judged()) {
      String key = VaultModels.name(v);
      try {
        facts.put(key, models.facts(v));
        versions.put(key, v);
      } catch (IOException | RuntimeException e) {
        unreadable.add(key + ": " + e.getMessage());
      }
    }
    Map<String, Evaluation> now = PolicyChange.reevaluate(after, facts, afterOrg);
    Map<String, Verdict> then = new LinkedHashMap<>();
    before.ifPresent(b -> PolicyChange.reevaluate(b, facts, beforeOrg).forEach((k, e) -> then.put(k, e.verdict())));
    List<Reevaluation.Outcome> outcomes = new ArrayList<>();
    now.forEach((key, e) -> {
      ModelVersion v = versions.get(key);
      outcomes.add(new Reevaluation.Outcome(v.id(), key, v.state().name(), Optional.ofNullable(then.get(key)),
          e.verdict(), e.decidingRules()));
    });
    return new Reevaluation(outcomes, PolicyChange.regressions(then, now), unreadable);
  }

  private static IllegalStateException failed(SQLException e) {
    return new IllegalStateException("the appliance database failed: " + e.getMessage(), e);
  }
}
