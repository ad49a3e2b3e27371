package dev.airlock.server.auth;

import dev.airlock.server.ApplianceDatabase;
import dev.airlock.server.vocabulary.Sql;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Console sessions, kept in the database so any server node can serve any request. A session
 * token is 256 random bits ({@code als_...}); only its SHA-256 is stored. A session ends after the
 * idle timeout or the maximum age, at sign-out, and when the user's roles, password or status change.
 */
@Singleton
public class Sessions {
  /** Session tokens start with this, so they are recognisable (and never mistaken for app keys, {@code alk_}). */
  public static final String TOKEN_PREFIX = "als_";
  /** Last-seen is written at most this often per session, not on every request. */
  private static final Duration TOUCH_EVERY = Duration.ofSeconds(60);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DataSource db;
  private final ConsoleConfig config;
  private final Clock clock;

  public Sessions(ApplianceDatabase database, ConsoleConfig config) {
    this(database.dataSource(), config, Clock.systemUTC());
  }

  Sessions(DataSource db, ConsoleConfig config, Clock clock) {
    this.db = db;
    this.config = config;
    this.clock = clock;
  }

  /** A new session and its token, which is shown to the client once and never stored. */
  public record Opened(Session session, String token) {}

  public Opened open(String username) {
    String token = TOKEN_PREFIX + random();
    Instant now = clock.instant();
    Session s = new Session(sha256(token), username, random(), now, now, now.plus(config.getSessionMaxAge()));
    Sql.inTransaction(db, c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO console_session (token_sha256, username, csrf_token,"
          + " created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, s.tokenHash());
        ps.setString(2, s.username());
        ps.setString(3, s.csrfToken());
        ps.setObject(4, at(s.createdAt()));
        ps.setObject(5, at(s.lastSeenAt()));
        ps.setObject(6, at(s.expiresAt()));
        ps.executeUpdate();
      }
    });
    return new Opened(s, token);
  }

  /** The live session a token names, touched; empty when unknown, idle too long or past its age. */
  public Optional<Session> find(String token) {
    if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 100) return Optional.empty();
    String hash = sha256(token);
    Optional<Session> found = Sql.query(db, "SELECT * FROM console_session WHERE token_sha256 = ?", ps -> ps.setString(1, hash),
        rs -> rs.next()
            ? Optional.of(new Session(rs.getString("token_sha256"), rs.getString("username"), rs.getString("csrf_token"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                rs.getObject("last_seen_at", OffsetDateTime.class).toInstant(),
                rs.getObject("expires_at", OffsetDateTime.class).toInstant()))
            : Optional.<Session>empty());
    if (found.isEmpty()) return found;
    Session s = found.get();
    Instant now = clock.instant();
    if (!now.isBefore(s.expiresAt()) || !now.isBefore(s.lastSeenAt().plus(config.getSessionIdleTimeout()))) {
      close(token);
      return Optional.empty();
    }
    if (Duration.between(s.lastSeenAt(), now).compareTo(TOUCH_EVERY) > 0) {
      Sql.inTransaction(db, c -> {
        try (PreparedStatement ps = c.prepareStatement("UPDATE console_session SET last_seen_at = ? WHERE token_sha256 = ?")) {
          ps.setObject(1, at(now));
          ps.setString(2, hash);
          ps.executeUpdate();
        }
      });
      s = new Session(s.tokenHash(), s.username(), s.csrfToken(), s.createdAt(), now, s.expiresAt());
    }
    return Optional.of(s);
  }

  public void close(String token) {
    String hash = sha256(token);
    Sql.inTransaction(db, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM console_session WHERE token_sha256 = ?")) {
        ps.setString(1, hash);
        ps.executeUpdate();
      }
    });
  }

  /** True when the presented CSRF token is the session's, compared in constant time. */
  public static boolean csrfMatches(Session session, String presented) {
    return presented != null && MessageDigest.isEqual(session.csrfToken().getBytes(StandardCharsets.US_ASCII),
        presented.getBytes(StandardCharsets.US_ASCII));
  }

  private static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static OffsetDateTime at(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }
}
