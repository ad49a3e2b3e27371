package dev.airlock.server.changes;

import dev.airlock.server.auth.Users;
import dev.airlock.server.policy.OrgProfiles;
import dev.airlock.server.policy.PolicyAdmin;
import dev.airlock.server.review.Suspensions;
import dev.airlock.server.trust.TrustAdmin;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

/**
 * A change that takes two people: stored while it waits, applied when a DPO confirms it. Each
 * kind is a record of public values only (role names, a policy version, a public key), stored as
 * JSON and compared by value.
 */
public sealed interface Change permits RoleGrant, PolicyActivation, TrustedKey, OrgProfileActivation {
  /** The kinds, as stored and shown; each names the record that carries it. */
  enum Kind {
    ROLE_GRANT("role.grant", RoleGrant.class),
    POLICY_ACTIVATION("policy.activation", PolicyActivation.class),
    TRUSTED_KEY("trust.key", TrustedKey.class),
    ORG_PROFILE_ACTIVATION("org_profile.activation", OrgProfileActivation.class);

    private final String label;
    private final Class<? extends Change> type;

    Kind(String label, Class<? extends Change> type) {
      this.label = label;
      this.type = type;
    }

    /** The kind's name in the API and in audit records. */
    public String label() {
      return label;
    }

    Class<? extends Change> type() {
      return type;
    }
  }

  /** The services changes apply themselves through. */
  record Targets(Users users, PolicyAdmin policies, TrustAdmin trust, OrgProfiles profiles, Suspensions suspensions) {}

  /**
   * What applying did: the details for the audit record, what to do once that record is written,
   * still in the transaction (a store outside the database, such as the trust store file; the
   * suspensions a stricter policy causes, recorded after it), and what to do once it committed
   * (reviewing the suspended models again). Nothing for most.
   */
  record Applied(Map<String, Object> details, AfterRecord afterRecord, Runnable afterCommit) {
    Applied(Map<String, Object> details, Runnable afterRecord) {
      this(details, afterRecord::run, () -> {});
    }

    static Applied inDatabase(Map<String, Object> details) {
      return new Applied(details, () -> {});
    }
  }

  /** Work after the change's record, on the same transaction. */
  interface AfterRecord {
    void run() throws SQLException;
  }

  Kind kind();

  /** One line a DPO reads before confirming. */
  String summary();

  /**
   * What it changes, for the API and the audit records. A detail that names a person uses a key
   * the audit log keeps out of its index ({@code username}).
   */
  Map<String, Object> details();

  /** The console user this change gives powers to, who therefore may not confirm it; none for most. */
  default Optional<String> beneficiary() {
    return Optional.empty();
  }

  /**
   * Two pending changes with the same key would change the same thing: only one may wait at a
   * time (one grant per user, one proposal per policy version, one per trust entry name).
   */
  String conflictKey();

  /** Refuses the change when it could not apply now (checked when proposed, and again when confirmed). */
  void check(Targets targets);

  /**
   * Applies the change on the confirming transaction's connection. Throws, leaving the change
   * pending, when the state no longer allows it.
   *
   * @param proposedBy the ADMIN who proposed it
   * @param confirmedBy the DPO who confirms it
   */
  Applied apply(Connection c, Targets targets, String proposedBy, String confirmedBy) throws SQLException;

  /** The type of the audit record written when it is applied ({@code policy.activated}, ...). */
  String appliedRecordType();
}
