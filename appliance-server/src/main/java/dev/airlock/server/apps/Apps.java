package dev.airlock.server.apps;

import dev.airlock.server.vocabulary.AdminRecords;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.audit.AuditLog;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import dev.airlock.server.vocabulary.Sql;
import javax.sql.DataSource;

/**
 * Apps and their API keys: create, change, issue, rotate, revoke, and authenticate a presented key.
 * Every change is an audit record written in the same step as the database change; if the audit
 * record cannot be written the change is rolled back.
 */
@Singleton
public class Apps {
  /** Default per-app request limit: generous for one internal app, still stops a runaway loop. */
  public static final int DEFAULT_REQUESTS_PER_MINUTE = 600;
  /** Default per-app token quota per minute: a few long chats per second on one GPU. */
  public static final long DEFAULT_TOKENS_PER_MINUTE = 200_000;
  /** Default largest request body: long prompts fit, a pasted file of megabytes does not. */
  public static final long DEFAULT_MAX_REQUEST_BYTES = 1_048_576;

  /**
   * How long an authenticated key is trusted without a database lookup. Revocation on another
   * node takes effect within this time; on this node it is immediate.
   */
  static final long KEY_CACHE_NANOS = 5_000_000_000L;

  /** What an operator asks for; absent limits take the defaults. */
  public record Spec(String name, Integer requestsPerMinute, Long tokensPerMinute, Long maxRequestBytes,
                     String subjectHeader, List<String> grants) {}

  public record Created(App app, IssuedKey key) {}

  public record KeyInfo(String keyId, String appId, String prefix, OffsetDateTime createdAt,
                        Optional<OffsetDateTime> revokedAt) {}

  private record Cached(Caller caller, long expiresAt) {}

  private final DataSource db;
  private final AuditLog audit;
  private final Map<String, Cached> byHash = new ConcurrentHashMap<>();

  public Apps(ApplianceDatabase database, AuditLog audit) {
    this.db = database.dataSource();
    this.audit = audit;
  }

  public Created create(Spec spec, String actor) {
    String name = requireName(spec.name());
    App app = new App(ApiKeyFormat.newId("app"), name,
        positive(spec.requestsPerMinute(), DEFAULT_REQUESTS_PER_MINUTE, "requestsPerMinute"),
        positive(spec.tokensPerMinute(), DEFAULT_TOKENS_PER_MINUTE, "tokensPerMinute"),
        positive(spec.maxRequestBytes(), DEFAULT_MAX_REQUEST_BYTES, "maxRequestBytes"),
        Optional.ofNullable(spec.subjectHeader()).filter(h -> !h.isBlank()),
        grants(spec.grants()));
    String secret = ApiKeyFormat.newSecret();
    IssuedKey key = new IssuedKey(ApiKeyFormat.newId("key"), app.id(), ApiKeyFormat.visiblePrefix(secret), secret);
    inTransaction(c -> {
      if (exists(c, "SELECT 1 FROM gateway_app WHERE name = ?", name)) {
        throw new IllegalArgumentException("an app named '" + name + "' already exists: pick another name or change that app");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO gateway_app (id, name, requests_per_minute,"
          + " tokens_per_minute, max_request_bytes, subject_header, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, app.id());
        ps.setString(2, app.name());
        ps.setInt(3, app.requestsPerMinute());
        ps.setLong(4, app.tokensPerMinute());
        ps.setLong(5, app.maxRequestBytes());
        ps.setString(6, app.subjectHeader().orElse(""));
        ps.setObject(7, now());
        ps.executeUpdate();
      }
      writeGrants(c, app.id(), app.grants());
      insertKey(c, key, secret);
      Map<String, Object> f = describe(app);
      f.put("keyId", key.keyId());
      f.put("keyPrefix", key.prefix());
      audit.append(AdminRecords.of("app.created", actor, f));
    });
    return new Created(app, key);
  }

  public App update(String appId, Spec spec, String actor) {
    App old = find(appId).orElseThrow(() -> unknownApp(appId));
    App app = new App(old.id(), spec.name() == null ? old.name() : requireName(spec.name()),
        spec.requestsPerMinute() == null ? old.requestsPerMinute() : positive(spec.requestsPerMinute(), 0, "requestsPerMinute"),
        spec.tokensPerMinute() == null ? old.tokensPerMinute() : positive(spec.tokensPerMinute(), 0L, "tokensPerMinute"),
        spec.maxRequestBytes() == null ? old.maxRequestBytes() : positive(spec.maxRequestBytes(), 0L, "maxRequestBytes"),
        spec.subjectHeader() == null ? old.subjectHeader() : Optional.of(spec.subjectHeader()).filter(h -> !h.isBlank()),
        spec.grants() == null ? old.grants() : grants(spec.grants()));
    inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE gateway_app SET name = ?, requests_per_minute = ?,"
          + " tokens_per_minute = ?, max_request_bytes = ?, subject_header = ? WHERE id = ?")) {
        ps.setString(1, app.name());
        ps.setInt(2, app.requestsPerMinute());
        ps.setLong(3, app.tokensPerMinute());
        ps.setLong(4, app.maxRequestBytes());
        ps.setString(5, app.subjectHeader().orElse(""));
        ps.setString(6, app.id());
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM gateway_app_grant WHERE app_id = ?")) {
        ps.setString(1, app.id());
        ps.executeUpdate();
      }
      writeGrants(c, app.id(), app.grants());
      audit.append(AdminRecords.of("app.updated", actor, describe(app)));
    });
    byHash.clear();
    return app;
  }

  public IssuedKey issueKey(String appId, String actor) {
    find(appId).orElseThrow(() -> unknownApp(appId));
    String secret = ApiKeyFormat.newSecret();
    IssuedKey key = new IssuedKey(ApiKeyFormat.newId("key"), appId, ApiKeyFormat.visiblePrefix(secret), secret);
    inTransaction(c -> {
      insertKey(c, key, secret);
      audit.append(AdminRecords.of("key.issued", actor, Map.of("appId", appId, "keyId", key.keyId(), "keyPrefix", key.prefix())));
    });
    return key;
  }

  /** Revokes the key and issues its replacement in one step. */
  public IssuedKey rotate(String keyId, String actor) {
    KeyInfo old = key(keyId).filter(k -> k.revokedAt().isEmpty())
        .orElseThrow(() -> new NoSuchElementException("no active key '" + keyId + "': list the app's keys with GET /admin/apps/{id}/keys"));
    String secret = ApiKeyFormat.newSecret();
    IssuedKey key = new IssuedKey(ApiKeyFormat.newId("key"), old.appId(), ApiKeyFormat.visiblePrefix(secret), secret);
    inTransaction(c -> {
      markRevoked(c, keyId);
      insertKey(c, key, secret);
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("appId", old.appId());
      f.put("keyId", key.keyId());
      f.put("keyPrefix", key.prefix());
      f.put("replacesKeyId", keyId);
      audit.append(AdminRecords.of("key.rotated", actor, f));
    });
    byHash.clear();
    return key;
  }

  public void revoke(String keyId, String actor) {
    KeyInfo old = key(keyId).filter(k -> k.revokedAt().isEmpty())
        .orElseThrow(() -> new NoSuchElementException("no active key '" + keyId + "': it is unknown or already revoked"));
    inTransaction(c -> {
      markRevoked(c, keyId);
      audit.append(AdminRecords.of("key.revoked", actor, Map.of("appId", old.appId(), "keyId", keyId, "keyPrefix", old.prefix())));
    });
    byHash.clear();
  }

  /** The caller behind a presented key, if the key is known and not revoked. */
  public Optional<Caller> authenticate(String presented) {
    if (presented == null || !presented.startsWith(ApiKeyFormat.KEY_PREFIX)) return Optional.empty();
    String hash = ApiKeyFormat.hash(presented);
    Cached cached = byHash.get(hash);
    long now = System.nanoTime();
    if (cached != null && cached.expiresAt - now > 0) return Optional.of(cached.caller);
    Optional<Caller> caller = query("SELECT k.id, k.app_id FROM gateway_api_key k WHERE k.key_hash = ? AND k.revoked_at IS NULL",
        ps -> ps.setString(1, hash),
        rs -> rs.next() ? Optional.of(new String[] {rs.getString(1), rs.getString(2)}) : Optional.<String[]>empty())
        .flatMap(row -> find(row[1]).map(app -> new Caller(app, row[0])));
    caller.ifPresentOrElse(c -> byHash.put(hash, new Cached(c, now + KEY_CACHE_NANOS)), () -> byHash.remove(hash));
    return caller;
  }

  /**
   * True when {@link #authenticate} would answer this key from memory, without a database query:
   * lets a caller on an event loop decide whether it may authenticate there.
   */
  public boolean answersFromMemory(String presented) {
    if (presented == null || !presented.startsWith(ApiKeyFormat.KEY_PREFIX)) return true;
    Cached cached = byHash.get(ApiKeyFormat.hash(presented));
    return cached != null && cached.expiresAt - System.nanoTime() > 0;
  }

  public Optional<App> find(String appId) {
    return query("SELECT id, name, requests_per_minute, tokens_per_minute, max_request_bytes, subject_header"
        + " FROM gateway_app WHERE id = ?", ps -> ps.setString(1, appId), rs -> {
          if (!rs.next()) return Optional.<App>empty();
          String id = rs.getString(1);
          return Optional.of(new App(id, rs.getString(2), rs.getInt(3), rs.getLong(4), rs.getLong(5),
              Optional.of(rs.getString(6)).filter(h -> !h.isBlank()), loadGrants(id)));
        });
  }

  public List<App> list() {
    List<String> ids = query("SELECT id FROM gateway_app ORDER BY name", ps -> {}, rs -> {
      List<String> out = new ArrayList<>();
      while (rs.next()) out.add(rs.getString(1));
      return out;
    });
    return ids.stream().map(this::find).flatMap(Optional::stream).toList();
  }

  public List<KeyInfo> keys(String appId) {
    find(appId).orElseThrow(() -> unknownApp(appId));
    return query("SELECT id, app_id, prefix, created_at, revoked_at FROM gateway_api_key WHERE app_id = ? ORDER BY created_at",
        ps -> ps.setString(1, appId), rs -> {
          List<KeyInfo> out = new ArrayList<>();
          while (rs.next()) out.add(keyInfo(rs));
          return out;
        });
  }

  private Optional<KeyInfo> key(String keyId) {
    return query("SELECT id, app_id, prefix, created_at, revoked_at FROM gateway_api_key WHERE id = ?",
        ps -> ps.setString(1, keyId), rs -> rs.next() ? Optional.of(keyInfo(rs)) : Optional.<KeyInfo>empty());
  }

  private static KeyInfo keyInfo(ResultSet rs) throws SQLException {
    return new KeyInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getObject(4, OffsetDateTime.class),
        Optional.ofNullable(rs.getObject(5, OffsetDateTime.class)));
  }

  private Set<String> loadGrants(String appId) {
    return query("SELECT model FROM gateway_app_grant WHERE app_id = ?", ps -> ps.setString(1, appId), rs -> {
      Set<String> out = new TreeSet<>();
      while (rs.next()) out.add(rs.getString(1));
      return out;
    });
  }

  private static Map<String, Object> describe(App app) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("appId", app.id());
    f.put("name", app.name());
    f.put("requestsPerMinute", app.requestsPerMinute());
    f.put("tokensPerMinute", app.tokensPerMinute());
    f.put("maxRequestBytes", app.maxRequestBytes());
    f.put("subjectHeader", app.subjectHeader().orElse(null));
    f.put("grants", List.copyOf(new TreeSet<>(app.grants())));
    return f;
  }

  private static void writeGrants(Connection c, String appId, Set<String> grants) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO gateway_app_grant (app_id, model) VALUES (?, ?)")) {
      for (String g : grants) {
        ps.setString(1, appId);
        ps.setString(2, g);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void insertKey(Connection c, IssuedKey key, String secret) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO gateway_api_key (id, app_id, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, key.keyId());
      ps.setString(2, key.appId());
      ps.setString(3, key.prefix());
      ps.setString(4, ApiKeyFormat.hash(secret));
      ps.setObject(5, now());
      ps.executeUpdate();
    }
  }

  private static void markRevoked(Connection c, String keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE gateway_api_key SET revoked_at = ? WHERE id = ?")) {
      ps.setObject(1, now());
      ps.setString(2, keyId);
      ps.executeUpdate();
    }
  }

  private static boolean exists(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static String requireName(String name) {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("an app needs a name, e.g. {\"name\":\"helpdesk-bot\"}");
    if (name.length() > 200) throw new IllegalArgumentException("an app name has at most 200 characters; found " + name.length());
    return name.strip();
  }

  private static <N extends Number> N positive(N value, N fallback, String field) {
    if (value == null) return fallback;
    if (value.longValue() <= 0) throw new IllegalArgumentException(field + " must be a positive number; found " + value);
    return value;
  }

  private static Set<String> grants(List<String> grants) {
    Set<String> out = new TreeSet<>();
    if (grants != null) {
      for (String g : grants) {
        if (g == null || g.isBlank()) throw new IllegalArgumentException("grants are model ids or aliases; found an empty one");
        out.add(g.strip());
      }
    }
    return out;
  }

  private static NoSuchElementException unknownApp(String appId) {
    return new NoSuchElementException("no app '" + appId + "': list apps with GET /admin/apps");
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }

  private void inTransaction(Sql.Work work) {
    Sql.inTransaction(db, work);
  }

  private <T> T query(String sql, Sql.Binder binder, Sql.Reader<T> reader) {
    return Sql.query(db, sql, binder, reader);
  }
}
