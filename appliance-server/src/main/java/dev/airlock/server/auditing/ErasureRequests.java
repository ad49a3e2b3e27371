package dev.airlock.server.auditing;

import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogException;
import dev.airlock.audit.Erasure;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.server.vocabulary.Sql;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * GDPR erasure by subject, with four eyes: one person {@linkplain #requestErasure requests} it,
 * a different person {@linkplain #confirmErasure confirms} it, and only then are the subject's data
 * keys destroyed through the audit log's crypto-shredding ({@link AuditLog#erase}). Both steps are
 * audit records ({@code audit.erasure.requested}, {@code audit.erasure.confirmed}; the log adds its
 * own {@code audit.erasure}); they name the subject only by its pseudonymous tag. The subject's id
 * is kept in the table only while the request is pending. Roles are the web layer's concern.
 */
@Singleton
public final class ErasureRequests {
  public static final String TYPE_REQUESTED = "audit.erasure.requested";
  public static final String TYPE_CONFIRMED = "audit.erasure.confirmed";

  /** Longest reason kept (the column's size). */
  static final int MAX_REASON = 4000;

  /** Where a request stands. */
  public enum Status {
    /** Waiting for a second person. */
    PENDING,
    /** Confirmed; the keys are being destroyed right now. */
    CONFIRMING,
    /** The subject's keys are destroyed. */
    DONE
  }

  /**
   * One erasure request.
   *
   * @param id its id
   * @param subject the subject to erase, while pending; empty once done
   * @param subjectTag the subject's pseudonymous tag (hex), as in the log's leaves and erasure record
   * @param requestedBy who asked
   * @param reason why (e.g. the data subject's request reference)
   * @param requestedAt when
   * @param status where it stands
   * @param requestRecord the {@code audit.erasure.requested} record
   * @param confirmedBy the second person
   * @param confirmedAt when they confirmed
   * @param confirmRecord the {@code audit.erasure.confirmed} record
   * @param erasureRecord the log's {@code audit.erasure} record
   * @param keysDestroyed how many data keys were destroyed
   */
  public record ErasureRequest(String id, Optional<String> subject, String subjectTag, String requestedBy,
      String reason, Instant requestedAt, Status status, long requestRecord, Optional<String> confirmedBy,
      Optional<Instant> confirmedAt, Optional<Long> confirmRecord, Optional<Long> erasureRecord,
      Optional<Integer> keysDestroyed) {}

  /** The request cannot be confirmed (same person, not pending, unknown id); nothing was erased. */
  public static final class ErasureRefusedException extends RuntimeException {
    public ErasureRefusedException(String message) {
      super(message);
    }
  }

  private final AuditLog log;
  private final DataSource db;

  @Inject
  public ErasureRequests(AuditLog log, ApplianceDatabase db) {
    this(log, db.dataSource());
  }

  public ErasureRequests(AuditLog log, DataSource db) {
    this.log = log;
    this.db = db;
  }

  /**
   * Records a pending request to erase {@code subject}, and an {@code audit.erasure.requested}
   * record by {@code requestedBy}. Nothing is erased until another person confirms.
   *
   * @throws AuditRefusedException the request could not be recorded in the log; nothing was stored
   */
  public ErasureRequest requestErasure(String subject, String requestedBy, String reason) {
    String user = AccessRecords.requireUser(requestedBy, "requester");
    if (subject == null || subject.isBlank()) {
      throw new IllegalArgumentException("the subject to erase is required: the id the gateway recorded (the OpenAI "
          + "'user' field or the app's subject header)");
    }
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("a reason is required, e.g. the reference of the data subject's request");
    }
    if (reason.length() > MAX_REASON) {
      throw new IllegalArgumentException("the reason is " + reason.length() + " characters; at most " + MAX_REASON);
    }
    String id = UUID.randomUUID().toString();
    String tag = log.subjectTag(subject);
    long record = AccessRecords.append(log, TYPE_REQUESTED, user, "pending",
        Map.of("erasureRequest", id, "subject_tag", tag), Map.of("erasureRequest", id, "reason", reason));
    Instant now = Instant.now();
    Sql.inTransaction(db, c -> {
      try (var ps = c.prepareStatement("INSERT INTO audit_erasure_request (id, subject, subject_tag, requested_by,"
          + " reason, requested_at, status, request_record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, id);
        ps.setString(2, subject);
        ps.setString(3, tag);
        ps.setString(4, user);
        ps.setString(5, reason);
        ps.setObject(6, now.atOffset(ZoneOffset.UTC));
        ps.setString(7, Status.PENDING.name());
        ps.setLong(8, record);
        ps.executeUpdate();
      }
    });
    return find(id).orElseThrow();
  }

  /**
   * Confirms request {@code id} as {@code confirmedBy}, who must not be the requester, and erases
   * the subject: an {@code audit.erasure.confirmed} record, then the log's crypto-shredding (which
   * appends {@code audit.erasure}). The subject's id is then dropped from the table.
   *
   * @throws ErasureRefusedException unknown id, not pending, or the requester confirming their own request
   * @throws AuditRefusedException the confirmation could not be recorded; nothing was erased
   */
  public ErasureRequest confirmErasure(String id, String confirmedBy) {
    String user = AccessRecords.requireUser(confirmedBy, "confirming person");
    ErasureRequest r = find(id).orElseThrow(() -> new ErasureRefusedException("there is no erasure request '" + id
        + "'; see the pending requests for their ids"));
    if (r.status() != Status.PENDING) {
      throw new ErasureRefusedException("erasure request " + id + " is " + r.status().name().toLowerCase()
          + ", not pending; nothing was done");
    }
    if (r.requestedBy().equalsIgnoreCase(user)) {
      throw new ErasureRefusedException("erasure request " + id + " was made by '" + r.requestedBy()
          + "': a different person must confirm it (four eyes); nothing was erased");
    }
    int claimed = update("UPDATE audit_erasure_request SET status = ? WHERE id = ? AND status = ?",
        Status.CONFIRMING.name(), id, Status.PENDING.name());
    if (claimed != 1) {
      throw new ErasureRefusedException("erasure request " + id + " is being confirmed by someone else right now");
    }
    long confirm;
    Erasure erasure;
    try {
      confirm = AccessRecords.append(log, TYPE_CONFIRMED, user, "ok",
          Map.of("erasureRequest", id, "subject_tag", r.subjectTag(), "requestRecord", Long.toString(r.requestRecord())),
          Map.of("erasureRequest", id, "requestedBy", r.requestedBy()));
      erasure = log.erase(r.subject().orElseThrow());
    } catch (AuditRefusedException | AuditLogException e) {
      update("UPDATE audit_erasure_request SET status = ? WHERE id = ?", Status.PENDING.name(), id);
      if (e instanceof AuditLogException ale) {
        throw new AuditRefusedException("the erasure could not be performed (" + ale.getMessage()
            + "); the request is pending again, retry when the audit volume is writable", ale);
      }
      throw e;
    }
    Instant now = Instant.now();
    Sql.inTransaction(db, c -> {
      try (var ps = c.prepareStatement("UPDATE audit_erasure_request SET status = ?, subject = ?, confirmed_by = ?,"
          + " confirmed_at = ?, confirm_record = ?, erasure_record = ?, keys_destroyed = ? WHERE id = ?")) {
        ps.setString(1, Status.DONE.name());
        ps.setNull(2, Types.VARCHAR);
        ps.setString(3, user);
        ps.setObject(4, now.atOffset(ZoneOffset.UTC));
        ps.setLong(5, confirm);
        ps.setLong(6, erasure.index());
        ps.setInt(7, erasure.keysDestroyed());
        ps.setString(8, id);
        ps.executeUpdate();
      }
    });
    return find(id).orElseThrow();
  }

  /** Requests waiting for a second person, oldest first. */
  public List<ErasureRequest> pending() {
    return Sql.query(db, SELECT + " WHERE status = ? ORDER BY requested_at, id", ps -> ps.setString(1,
        Status.PENDING.name()), ErasureRequests::readAll);
  }

  /** One request by id. */
  public Optional<ErasureRequest> find(String id) {
    return Sql.query(db, SELECT + " WHERE id = ?", ps -> ps.setString(1, id),
        rs -> readAll(rs).stream().findFirst());
  }

  private static final String SELECT = "SELECT id, subject, subject_tag, requested_by, reason, requested_at, status,"
      + " request_record, confirmed_by, confirmed_at, confirm_record, erasure_record, keys_destroyed"
      + " FROM audit_erasure_request";

  private int update(String sql, String... args) {
    int[] n = {0};
    Sql.inTransaction(db, c -> {
      try (var ps = c.prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) {
          ps.setString(i + 1, args[i]);
        }
        n[0] = ps.executeUpdate();
      }
    });
    return n[0];
  }

  private static List<ErasureRequest> readAll(ResultSet rs) throws SQLException {
    List<ErasureRequest> out = new ArrayList<>();
    while (rs.next()) {
      OffsetDateTime confirmedAt = rs.getObject(10, OffsetDateTime.class);
      out.add(new ErasureRequest(rs.getString(1), Optional.ofNullable(rs.getString(2)), rs.getString(3),
          rs.getString(4), rs.getString(5), rs.getObject(6, OffsetDateTime.class).toInstant(),
          Status.valueOf(rs.getString(7)), rs.getLong(8), Optional.ofNullable(rs.getString(9)),
          Optional.ofNullable(confirmedAt).map(OffsetDateTime::toInstant), optionalLong(rs, 11),
          optionalLong(rs, 12), optionalLong(rs, 13).map(Long::intValue)));
    }
    return out;
  }

  private static Optional<Long> optionalLong(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(v);
  }
}
