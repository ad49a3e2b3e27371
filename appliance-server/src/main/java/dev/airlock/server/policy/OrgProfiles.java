package dev.airlock.server.policy;

import dev.airlock.audit.AuditLog;
import dev.airlock.policy.OrgProfile;
import dev.airlock.policy.OrgProfileStore;
import dev.airlock.policy.PolicyStore;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.server.vocabulary.Sql;
import dev.airlock.server.vocabulary.AdminRecords;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * The organization profile on the server: what policies need to know about the organization
 * (monthly active users, EU domicile, commercial and multimodal use). An ADMIN saves a version; it
 * judges models only once activated, which is a two-person change ({@code
 * changes.OrgProfileActivation}): the activation names who proposed it and who confirmed it. Every
 * review and every re-evaluation uses the active profile; activating one that judges an approved
 * or active model worse suspends that model, as a policy change does.
 */
@Singleton
public class OrgProfiles {
  private final DataSource db;
  private final AuditLog audit;
  private final PolicyAdmin policies;
  private final PolicyStore policyStore;
  private final Clock clock = Clock.systemUTC();

  public OrgProfiles(ApplianceDatabase database, AuditLog audit, PolicyAdmin policies, PolicyStore policyStore) {
    this.db = database.dataSource();
    this.audit = audit;
    this.policies = policies;
    this.policyStore = policyStore;
  }

  /** A version saved (or the identical latest one found), with the models activating it would judge worse. */
  public record Saved(OrgProfileStore.Stored profile, boolean created, Reevaluation reevaluation) {}

  public Optional<OrgProfileStore.Active> active() {
    return read(OrgProfileStore::active);
  }

  public List<OrgProfileStore.Stored> versions() {
    return read(OrgProfileStore::versions);
  }

  public OrgProfileStore.Stored version(int version) {
    return read(c -> OrgProfileStore.version(c, version)).orElseThrow(() -> new NoSuchElementException(
        "no saved version " + version + " of the organization profile: GET /admin/org-profile lists them"));
  }

  /**
   * Validates the YAML (or JSON) and saves it as the next version, audited as
   * {@code org_profile.saved}; nothing is saved when it is invalid or identical to the latest.
   */
  public Saved save(String text, String actor) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("give the profile as YAML, e.g. 'monthly_active_users: 5000' and"
          + " 'eu_domiciled: true', 'commercial_use: true', 'multimodal_use: false'");
    }
    if (text.length() > OrgProfileStore.MAX_PROFILE_CHARS) {
      throw new IllegalArgumentException("a profile is at most " + OrgProfileStore.MAX_PROFILE_CHARS
          + " characters; it has four keys");
    }
    OrgProfile.parse(text, "the organization profile");
    AtomicReference<OrgProfileStore.Stored> saved = new AtomicReference<>();
    AtomicReference<Boolean> created = new AtomicReference<>(false);
    Sql.inTransaction(db, c -> {
      List<OrgProfileStore.Stored> before = OrgProfileStore.versions(c);
      OrgProfileStore.Stored s = OrgProfileStore.save(c, text, actor, now());
      saved.set(s);
      if (!before.isEmpty() && before.getLast().version() == s.version()) return;
      created.set(true);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("profileVersion", s.version());
      details.put("sha256", s.sha256());
      audit.append(AdminRecords.of("org_profile.saved", actor, details));
    });
    return new Saved(saved.get(), created.get(), reevaluation(saved.get()));
  }

  /** What activating the version would change for approved and active models, under the active policy. */
  public Reevaluation reevaluation(OrgProfileStore.Stored target) {
    Optional<PolicyStore.StoredPolicy> policy;
    try {
      policy = policyStore.active();
    } catch (SQLException e) {
      throw new IllegalStateException("the appliance database failed: " + e.getMessage(), e);
    }
    if (policy.isEmpty()) return new Reevaluation(List.of(), List.of(), List.of());
    return policies.reevaluate(policy.map(PolicyStore.StoredPolicy::policy), policies.activeProfile(),
        policy.get().policy(), target.profile());
  }

  /** What confirming an activation did: the version now active and the one it replaced, if any. */
  public record Activation(OrgProfileStore.Stored profile, Optional<Integer> previous) {}

  /**
   * The version to activate, refused when it does not exist (404) or is active already (409):
   * checked when an activation is proposed, and again when it is confirmed.
   */
  public OrgProfileStore.Stored requireActivatable(int version) {
    OrgProfileStore.Stored target = version(version);
    if (active().map(a -> a.profile().version() == version).orElse(false)) throw alreadyActive(version);
    return target;
  }

  /**
   * The approved or active versions this profile version judges worse than the active one, each
   * with the reason a suspension gives: what confirming its activation suspends.
   */
  public Map<String, String> regressions(int version) {
    return PolicyAdmin.worse(reevaluation(version(version)), "organization profile version " + version);
  }

  /**
   * Makes the version active on the caller's transaction, naming who proposed and who confirmed
   * it (PendingChanges has checked they are two people). Writes no audit record: the confirmed
   * two-person change writes the one that names both.
   */
  public Activation activateOn(Connection c, int version, String proposedBy, String confirmedBy) throws SQLException {
    OrgProfileStore.Stored target = OrgProfileStore.version(c, version).orElseThrow(() -> new NoSuchElementException(
        "no saved version " + version + " of the organization profile: GET /admin/org-profile lists them"));
    Optional<OrgProfileStore.Active> before = OrgProfileStore.active(c);
    if (before.isPresent() && before.get().profile().version() == version) throw alreadyActive(version);
    OrgProfileStore.activate(c, version, AdminRecords.USER_PREFIX + proposedBy, AdminRecords.USER_PREFIX + confirmedBy,
        now());
    return new Activation(target, before.map(a -> a.profile().version()));
  }

  private static IllegalStateException alreadyActive(int version) {
    return new IllegalStateException("version " + version + " of the organization profile is already active");
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private interface Read<T> {
    T read(Connection c) throws SQLException;
  }

  private <T> T read(Read<T> read) {
    try (Connection c = db.getConnection()) {
      return read.read(c);
    } catch (SQLException e) {
      throw new IllegalStateException("the appliance database failed: " + e.getMessage(), e);
    }
  }
}
