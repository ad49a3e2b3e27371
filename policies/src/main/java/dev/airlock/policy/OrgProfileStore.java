package dev.airlock.policy;

import dev.airlock.vault.Sha256;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The organization profile's versions and activations in the appliance database, on the caller's
 * connection, so that a change commits with its audit record (the server's OrgProfiles is the
 * service); reviews read the active profile through {@link #active}.
 */
public final class OrgProfileStore {
  /** A profile is a handful of keys; anything far larger is not one. */
  public static final int MAX_PROFILE_CHARS = 8192;

  private OrgProfileStore() {}

  /** One saved version: the text as written, what it says, and who saved it when. */
  public record Stored(int version, String text, OrgProfile profile, String sha256, String savedBy, Instant savedAt) {}

  /** The active version, and the two people who made it so. */
  public record Active(Stored profile, String proposedBy, String confirmedBy, Instant activatedAt) {}

  public static Optional<Active> active(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT version, proposed_by, confirmed_by, activated_at"
        + " FROM org_profile_activation ORDER BY seq DESC LIMIT 1");
         ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) return Optional.empty();
      Stored s = version(c, rs.getInt(1)).orElseThrow(() -> new IllegalStateException("org profile activation names"
          + " a version that is not stored"));
      return Optional.of(new Active(s, rs.getString(2), rs.getString(3),
          rs.getObject(4, OffsetDateTime.class).toInstant()));
    }
  }

  public static Optional<Stored> version(Connection c, int version) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT version, profile, sha256, saved_by, saved_at"
        + " FROM org_profile_version WHERE version = ?")) {
      ps.setInt(1, version);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  public static List<Stored> versions(Connection c) throws SQLException {
    List<Stored> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT version, profile, sha256, saved_by, saved_at"
        + " FROM org_profile_version ORDER BY version");
         ResultSet rs = ps.executeQuery()) {
      while (rs.next()) out.add(read(rs));
    }
    return out;
  }

  /** Saves the text as the next version (it was parsed by the caller); an identical latest version is returned as is. */
  public static Stored save(Connection c, String text, String actor, Instant now) throws SQLException {
    List<Stored> all = versions(c);
    String sha = Sha256.of(text.getBytes(StandardCharsets.UTF_8)).hex();
    if (!all.isEmpty() && all.getLast().sha256().equals(sha)) return all.getLast();
    int next = all.isEmpty() ? 1 : all.getLast().version() + 1;
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO org_profile_version (version, profile, sha256,"
        + " saved_by, saved_at) VALUES (?, ?, ?, ?, ?)")) {
      ps.setInt(1, next);
      ps.setString(2, text);
      ps.setString(3, sha);
      ps.setString(4, actor);
      ps.setObject(5, now.atOffset(ZoneOffset.UTC));
      ps.executeUpdate();
    }
    return version(c, next).orElseThrow();
  }

  public static void activate(Connection c, int version, String proposedBy, String confirmedBy, Instant now)
      throws SQLException {
    int seq;
    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) + 1 FROM org_profile_activation");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      seq = rs.getInt(1);
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO org_profile_activation (seq, version, proposed_by,"
        + " confirmed_by, activated_at) VALUES (?, ?, ?, ?, ?)")) {
      ps.setInt(1, seq);
      ps.setInt(2, version);
      ps.setString(3, proposedBy);
      ps.setString(4, confirmedBy);
      ps.setObject(5, now.atOffset(ZoneOffset.UTC));
      ps.executeUpdate();
    }
  }

  private static Stored read(ResultSet rs) throws SQLException {
    String text = rs.getString(2);
    return new Stored(rs.getInt(1), text, OrgProfile.parse(text, "org profile version " + rs.getInt(1)),
        rs.getString(3), rs.getString(4), rs.getObject(5, OffsetDateTime.class).toInstant());
  }
}
