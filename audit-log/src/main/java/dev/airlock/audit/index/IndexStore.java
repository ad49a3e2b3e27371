package dev.airlock.audit.index;

import dev.airlock.audit.Actor;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The index's table in an embedded H2 file. One row per log entry, one secondary index per
 * searchable column, each ending in (ts, idx) so that "column = value, newest first" is one ordered
 * index range scan that stops after a page (keyset pagination; no OFFSET anywhere).
 */
final class IndexStore implements AutoCloseable {
  /** Bumped whenever the table changes; an index of another version is dropped and rebuilt from the log. */
  static final int SCHEMA_VERSION = 1;

  /** The H2 database's base name inside the index directory (H2 adds {@code .mv.db}). */
  static final String DATABASE = "audit-index";

  /**
   * H2 page cache in KiB, kept small on purpose. H2 puts every page it writes into this cache as
   * Java objects (rows, values, arrays), and the writer commits many times a second, so the cache
   * is mostly recent versions of the same hot pages: objects that live just long enough to be
   * copied by every young collection of the server's heap. With 64 MiB they were about 70 % of what
   * those collections copied, and a gateway under load paused two to three times longer in all.
   * Searches do not need it: they read the file through the operating system's cache, and on
   * indexes of two and ten million entries no query was slower with 4 MiB than with 64 MiB beyond
   * the spread between runs (docs/benchmarks.md).
   */
  static final int CACHE_KIB = 4 * 1024;

  /** Searchable columns, most selective first: the first one a query filters on drives its scan. */
  enum Column {
    REQUEST_ID("request_id"),
    USER_TAG("user_tag"),
    SUBJECT_TAG("subject_tag"),
    MODEL("model"),
    ACTOR("actor"),
    TYPE("type"),
    STATUS("status");

    final String sql;

    Column(String sql) {
      this.sql = sql;
    }

    String indexName() {
      return "audit_entry_" + sql;
    }
  }

  /** One entry as stored: tags instead of personal data, no payload. */
  record Row(long idx, Instant time, String type, Actor.Kind actorKind, String actor, byte[] userTag,
      byte[] subjectTag, String model, String requestId, String status) {}

  private final Connection writer;
  private final String url;
  private final PreparedStatement insert;
  /** False during a bulk load: searches then let H2 plan without the (absent) search indexes. */
  private volatile boolean searchIndexes = true;

  private IndexStore(String url) throws SQLException {
    this.url = url;
    this.writer = DriverManager.getConnection(url);
    writer.setAutoCommit(false);
    migrate();
    insert = writer.prepareStatement("INSERT INTO audit_entry (idx, ts, type, actor_kind, actor, user_tag, subject_tag,"
        + " model, request_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  }

  /**
   * WRITE_DELAY=0: H2 stores each commit on the committing thread instead of handing the pages to
   * its own background serialization threads. All of the index's work then runs on the index
   * writer's one thread, which runs at the lowest CPU priority ({@link BackgroundPriority}); with
   * the writer batching its commits this also took less CPU per row in the gateway benchmark.
   */
  static IndexStore open(Path directory) throws SQLException {
    String url = "jdbc:h2:file:" + directory.resolve(DATABASE).toAbsolutePath()
        + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;CACHE_SIZE=" + CACHE_KIB;
    return new IndexStore(url);
  }

  private void migrate() throws SQLException {
    try (Statement s = writer.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS index_meta (name VARCHAR(64) PRIMARY KEY, val VARCHAR(256) NOT NULL)");
      int version = 0;
      try (ResultSet r = s.executeQuery("SELECT val FROM index_meta WHERE name = 'schema_version'")) {
        if (r.next()) {
          version = Integer.parseInt(r.getString(1));
        }
      }
      if (version != SCHEMA_VERSION) {
        // Derived data: an index of another version is simply rebuilt from the log.
        s.execute("DROP TABLE IF EXISTS audit_entry");
        s.execute("CREATE TABLE audit_entry ("
            + "idx BIGINT PRIMARY KEY,"
            + " ts BIGINT NOT NULL,"
            + " type VARCHAR NOT NULL,"
            + " actor_kind TINYINT NOT NULL,"
            + " actor VARCHAR,"
            + " user_tag BINARY(16),"
            + " subject_tag BINARY(16),"
            + " model VARCHAR,"
            + " request_id VARCHAR,"
            + " status VARCHAR NOT NULL)");
        createSearchIndexes(s);
        s.execute("MERGE INTO index_meta KEY (name) VALUES ('schema_version', '" + SCHEMA_VERSION + "')");
      }
    }
    writer.commit();
  }

  private static void createSearchIndexes(Statement s) throws SQLException {
    s.execute("CREATE INDEX IF NOT EXISTS audit_entry_ts ON audit_entry (ts, idx)");
    for (Column c : Column.values()) {
      s.execute("CREATE INDEX IF NOT EXISTS " + c.indexName() + " ON audit_entry (" + c.sql + ", ts, idx)");
    }
  }

  /**
   * Drops the search indexes before a bulk load (a rebuild, a long catch-up): inserting into eight
   * B-trees row by row is what makes indexing slow, and H2 builds an index over existing rows by
   * sorting, many times faster. Searches still answer meanwhile, by scanning.
   */
  void beginBulkLoad() throws SQLException {
    searchIndexes = false;
    try (Statement s = writer.createStatement()) {
      s.execute("DROP INDEX IF EXISTS audit_entry_ts");
      for (Column c : Column.values()) {
        s.execute("DROP INDEX IF EXISTS " + c.indexName());
      }
    }
    writer.commit();
  }

  /** Builds the search indexes again after {@link #beginBulkLoad}; a no-op when they exist. */
  void endBulkLoad() throws SQLException {
    try (Statement s = writer.createStatement()) {
      createSearchIndexes(s);
    }
    writer.commit();
    searchIndexes = true;
  }

  /** True while the search indexes are being rebuilt. */
  boolean bulkLoading() {
    return !searchIndexes;
  }

  /** Entries indexed so far: the index holds exactly log indexes 0 .. indexed()-1. */
  long indexed() throws SQLException {
    try (Statement s = writer.createStatement(); ResultSet r = s.executeQuery("SELECT MAX(idx) FROM audit_entry")) {
      r.next();
      long max = r.getLong(1);
      return r.wasNull() ? 0 : max + 1;
    }
  }

  /** Adds rows (consecutive, starting at {@link #indexed()}) in one transaction. */
  void insert(List<Row> rows) throws SQLException {
    try {
      for (Row row : rows) {
        insert.setLong(1, row.idx());
        insert.setLong(2, nanos(row.time()));
        insert.setString(3, row.type());
        insert.setInt(4, row.actorKind().ordinal());
        setNullable(5, row.actor());
        setNullable(6, row.userTag());
        setNullable(7, row.subjectTag());
        setNullable(8, row.model());
        setNullable(9, row.requestId());
        insert.setString(10, row.status());
        insert.addBatch();
      }
      insert.executeBatch();
      writer.commit();
    } catch (SQLException e) {
      writer.rollback();
      throw e;
    }
  }

  private void setNullable(int i, String v) throws SQLException {
    if (v == null) {
      insert.setNull(i, Types.VARCHAR);
    } else {
      insert.setString(i, v);
    }
  }

  private void setNullable(int i, byte[] v) throws SQLException {
    if (v == null) {
      insert.setNull(i, Types.BINARY);
    } else {
      insert.setBytes(i, v);
    }
  }

  /** Forgets which user acted in the records of an erased subject (their user ids are unreadable now). */
  int forgetUsersOf(byte[] subjectTag) throws SQLException {
    try (PreparedStatement p = writer.prepareStatement(
        "UPDATE audit_entry SET user_tag = NULL WHERE subject_tag = ? AND user_tag IS NOT NULL")) {
      p.setBytes(1, subjectTag);
      int n = p.executeUpdate();
      writer.commit();
      return n;
    }
  }

  /** Empties the index, for a rebuild from the log. */
  void clear() throws SQLException {
    try (Statement s = writer.createStatement()) {
      s.execute("TRUNCATE TABLE audit_entry");
    }
    writer.commit();
  }

  /**
   * One page of entries matching every filter. The user and subject filters are tags (computed by
   * the caller from the plaintext with the log's tag key).
   */
  List<IndexedEntry> search(AuditQuery q, Optional<byte[]> userTag, Optional<byte[]> subjectTag, int limit)
      throws SQLException {
    List<Object> args = new ArrayList<>();
    List<String> where = new ArrayList<>();
    Column driving = null;
    for (Column c : Column.values()) {
      Optional<?> value = switch (c) {
        case REQUEST_ID -> q.requestId();
        case USER_TAG -> userTag;
        case SUBJECT_TAG -> subjectTag;
        case MODEL -> q.model();
        case ACTOR -> q.app();
        case TYPE -> q.type();
        case STATUS -> q.status();
      };
      if (value.isPresent()) {
        where.add(c.sql + " = ?");
        args.add(value.get());
        if (driving == null) {
          driving = c;
        }
      }
    }
    if (q.app().isPresent()) {
      where.add("actor_kind = " + Actor.Kind.APP.ordinal());
    }
    q.from().ifPresent(t -> {
      where.add("ts >= ?");
      args.add(nanos(t));
    });
    q.to().ifPresent(t -> {
      where.add("ts < ?");
      args.add(nanos(t));
    });
    boolean newest = q.order() == AuditQuery.Order.NEWEST_FIRST;
    q.after().ifPresent(c -> {
      where.add("(ts, idx) " + (newest ? "<" : ">") + " (?, ?)");
      args.add(c.timeNanos());
      args.add(c.index());
    });
    String dir = newest ? " DESC" : "";
    String index = driving == null ? "audit_entry_ts" : driving.indexName();
    // Ordering by the driving column too (it is constant here) is what lets H2 see that the index
    // is already sorted, so the scan stops after one page instead of sorting every match.
    String order = (driving == null ? "" : driving.sql + dir + ", ") + "ts" + dir + ", idx" + dir;
    String sql = "SELECT idx, ts, type, actor_kind, actor, model, request_id, status, subject_tag FROM audit_entry"
        + (searchIndexes ? " USE INDEX (" + index + ")" : "")
        + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
        + " ORDER BY " + order + " LIMIT " + limit;
    try (Connection c = DriverManager.getConnection(url); PreparedStatement p = c.prepareStatement(sql)) {
      for (int i = 0; i < args.size(); i++) {
        Object a = args.get(i);
        if (a instanceof byte[] b) {
          p.setBytes(i + 1, b);
        } else {
          p.setObject(i + 1, a);
        }
      }
      List<IndexedEntry> out = new ArrayList<>();
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          out.add(new IndexedEntry(r.getLong(1), instant(r.getLong(2)), r.getString(3),
              Actor.Kind.values()[r.getInt(4)], Optional.ofNullable(r.getString(5)), Optional.ofNullable(r.getString(6)),
              Optional.ofNullable(r.getString(7)), r.getString(8), r.getBytes(9) != null));
        }
      }
      return out;
    }
  }

  /**
   * Entries of {@code type} in {@code [from, to)}, counted per UTC day and per value of
   * {@code group} (model or actor), from the (type, ts, idx) index: one range scan, no log reads.
   */
  List<DayCount> countByDay(String type, Instant from, Instant to, AuditIndex.GroupBy group) throws SQLException {
    String column = switch (group) {
      case MODEL -> "model";
      case APP -> "actor";
    };
    String extra = group == AuditIndex.GroupBy.APP ? " AND actor_kind = " + Actor.Kind.APP.ordinal() : "";
    String sql = "SELECT ts / " + NANOS_PER_DAY + " AS epoch_day, " + column + ", COUNT(*) FROM audit_entry"
        + (searchIndexes ? " USE INDEX (" + Column.TYPE.indexName() + ")" : "")
        + " WHERE type = ? AND ts >= ? AND ts < ?" + extra
        + " GROUP BY ts / " + NANOS_PER_DAY + ", " + column + " ORDER BY 1, 2";
    try (Connection c = DriverManager.getConnection(url); PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, type);
      p.setLong(2, nanos(from));
      p.setLong(3, nanos(to));
      List<DayCount> out = new ArrayList<>();
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          String g = r.getString(2);
          out.add(new DayCount(java.time.LocalDate.ofEpochDay(r.getLong(1)), g == null ? "" : g, r.getLong(3)));
        }
      }
      return out;
    }
  }

  private static final long NANOS_PER_DAY = 86_400_000_000_000L;

  /** The plan H2 picks for a query, for tests and benchmarks. */
  String explain(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("EXPLAIN " + sql)) {
      r.next();
      return r.getString(1);
    }
  }

  static long nanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  @Override
  public void close() throws SQLException {
    insert.close();
    writer.close();
  }
}
