package dev.airlock.policy;

import dev.airlock.vault.Sha256;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Keeps every version of every policy in the appliance database (tables from
 * {@code db/migration/V20_50__policy_versions.sql}, H2 or PostgreSQL) and which one is active.
 * Versions are numbered 1, 2, ... per policy name and never change; activations are appended, so
 * the history of what was active when stays readable.
 *
 * <p>Changing the active policy is the moment to re-evaluate every model: {@link #activate}
 * returns the previously active version, and {@link PolicyChange#regressions} lists the approved
 * models whose verdict got worse.
 */
public final class PolicyStore {
  /** Two writers racing for the same next version number: retry a few times, then give up. */
  private static final int SAVE_ATTEMPTS = 3;

  private final DataSource db;
  private final Clock clock;

  /** {@code clock} stamps saves and activations; evaluation itself never reads a clock. */
  public PolicyStore(DataSource db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** One stored version, parsed again from the text that was validated when it was saved. */
  public record StoredPolicy(
      String name, int version, Sha256 sha256, String savedBy, Instant savedAt, Policy policy) {}

  /** An activation: which version became active, by whom, when. */
  public record Activation(String name, int version, String activatedBy, Instant activatedAt) {}

  /**
   * Saves a policy as the next version of its name. Saving text identical to the latest version
   * stores nothing and returns that version.
   */
  public StoredPolicy save(Policy policy, String savedBy) throws SQLException {
    SQLException last = null;
    for (int attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      try (Connection c = db.getConnection()) {
        return save(c, policy, savedBy);
      } catch (SQLException e) {
        last = e; // most likely another writer took this version number; read again
      }
    }
    throw last;
  }

  /**
   * The same on the caller's connection, so that the save commits with the caller's audit record;
   * a racing writer that took the version number fails the caller's transaction.
   */
  public StoredPolicy save(Connection c, Policy policy, String savedBy) throws SQLException {
    Sha256 digest = Sha256.of(policy.source().getBytes(StandardCharsets.UTF_8));
    Optional<StoredPolicy> latest = latest(c, policy.name());
    if (latest.isPresent() && latest.get().sha256().equals(digest)) return latest.get();
    int next = latest.map(s -> s.version() + 1).orElse(1);
    Instant now = clock.instant();
    try (PreparedStatement s = c.prepareStatement(
        "INSERT INTO policy_version (name, version, sha256, source, saved_by, saved_at)"
            + " VALUES (?, ?, ?, ?, ?, ?)")) {
      s.setString(1, policy.name());
      s.setInt(2, next);
      s.setString(3, digest.hex());
      s.setString(4, policy.source());
      s.setString(5, savedBy);
      s.setObject(6, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
      s.executeUpdate();
    }
    return new StoredPolicy(policy.name(), next, digest, savedBy, now, policy);
  }

  /** A stored version. */
  public Optional<StoredPolicy> get(String name, int version) throws SQLException {
    try (Connection c = db.getConnection()) {
      return get(c, name, version);
    }
  }

  /** A stored version, as the caller's connection sees it. */
  public Optional<StoredPolicy> get(Connection c, String name, int version) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(SELECT + " WHERE name = ? AND version = ?")) {
      s.setString(1, name);
      s.setInt(2, version);
      return first(s);
    }
  }

  /** Every version of a policy, oldest first. */
  public List<StoredPolicy> versions(String name) throws SQLException {
    try (Connection c = db.getConnection()) {
      return versions(c, name);
    }
  }

  /** Every version of a policy, oldest first, as the caller's connection sees it. */
  public List<StoredPolicy> versions(Connection c, String name) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(SELECT + " WHERE name = ? ORDER BY version")) {
      s.setString(1, name);
      List<StoredPolicy> out = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) out.add(read(r));
      }
      return out;
    }
  }

  /**
   * Makes a stored version the active policy.
   *
   * @return the version that was active before, if any: re-evaluate every model and compare
   * @throws IllegalArgumentException if no such version was saved
   */
  public Optional<StoredPolicy> activate(String name, int version, String activatedBy)
      throws SQLException {
    try (Connection c = db.getConnection()) {
      return activate(c, name, version, activatedBy);
    }
  }

  /** The same on the caller's connection, so that it commits with the caller's audit record. */
  public Optional<StoredPolicy> activate(Connection c, String name, int version, String activatedBy)
      throws SQLException {
    if (get(c, name, version).isEmpty()) {
      throw new IllegalArgumentException("no saved version " + version + " of policy '" + name
          + "'; save the policy first, then activate the version it was given");
    }
    Optional<StoredPolicy> before = active(c);
    try (PreparedStatement s = c.prepareStatement(
            "INSERT INTO policy_activation (seq, name, version, activated_by, activated_at)"
                + " VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM policy_activation), ?, ?, ?, ?)")) {
      s.setString(1, name);
      s.setInt(2, version);
      s.setString(3, activatedBy);
      s.setObject(4, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
      s.executeUpdate();
    }
    return before;
  }

  /** The active policy version, if one was ever activated. */
  public Optional<StoredPolicy> active() throws SQLException {
    try (Connection c = db.getConnection()) {
      return active(c);
    }
  }

  /** The active policy version as the caller's connection sees it. */
  public Optional<StoredPolicy> active(Connection c) throws SQLException {
    String name;
    int version;
    try (PreparedStatement s = c.prepareStatement(
            "SELECT name, version FROM policy_activation ORDER BY seq DESC LIMIT 1");
        ResultSet r = s.executeQuery()) {
      if (!r.next()) return Optional.empty();
      name = r.getString(1);
      version = r.getInt(2);
    }
    return get(c, name, version);
  }

  /** Every activation, oldest first. */
  public List<Activation> activations() throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement(
            "SELECT name, version, activated_by, activated_at FROM policy_activation ORDER BY seq");
        ResultSet r = s.executeQuery()) {
      List<Activation> out = new ArrayList<>();
      while (r.next()) {
        out.add(new Activation(r.getString(1), r.getInt(2), r.getString(3),
            r.getObject(4, OffsetDateTime.class).toInstant()));
      }
      return out;
    }
  }

  private static final String SELECT =
      "SELECT name, version, sha256, source, saved_by, saved_at FROM policy_version";

  private static Optional<StoredPolicy> latest(Connection c, String name) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        SELECT + " WHERE name = ? ORDER BY version DESC LIMIT 1")) {
      s.setString(1, name);
      return first(s);
    }
  }

  private static Optional<StoredPolicy> first(PreparedStatement s) throws SQLException {
    try (ResultSet r = s.executeQuery()) {
      return r.next() ? Optional.of(read(r)) : Optional.empty();
    }
  }

  private static StoredPolicy read(ResultSet r) throws SQLException {
    String name = r.getString("name");
    int version = r.getInt("version");
    String source = r.getString("source");
    Policy policy;
    try {
      policy = PolicyFile.parse(source, name + " version " + version);
    } catch (InvalidPolicyException e) {
      // Only validated text is ever saved; a stored version that no longer parses means the
      // policy language changed incompatibly, which a migration must handle.
      throw new IllegalStateException("stored policy " + name + " version " + version
          + " is no longer valid under this build's policy schema: " + e.getMessage(), e);
    }
    return new StoredPolicy(name, version, Sha256.parse(r.getString("sha256")),
        r.getString("saved_by"), r.getObject("saved_at", OffsetDateTime.class).toInstant(), policy);
  }
}
