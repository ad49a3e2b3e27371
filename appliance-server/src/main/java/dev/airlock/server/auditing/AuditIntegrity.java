package dev.airlock.server.auditing;

import dev.airlock.audit.AuditLeaf;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogException;
import dev.airlock.audit.AuditLogReader;
import dev.airlock.audit.Checkpoint;
import dev.airlock.audit.VerificationReport;
import dev.airlock.audit.note.CheckpointBody;
import dev.airlock.audit.note.NoteFormatException;
import dev.airlock.audit.note.NoteVerificationException;
import dev.airlock.audit.note.NoteVerifier;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.server.vocabulary.Sql;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.MessageDigest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Whether the audit log is intact: the latest signed checkpoint with its signature checked now
 * ({@link #status}), and full verifications run on demand ({@link #verifyNow}) with the library's
 * verifier over every entry, each kept in the {@code audit_verification} table and recorded in
 * the log as {@code audit.verified}.
 */
@Singleton
public final class AuditIntegrity {
  public static final String TYPE_VERIFIED = "audit.verified";

  /**
   * The latest signed checkpoint as checked just now.
   *
   * @param size entries it covers
   * @param rootHash its root, base64
   * @param coversUntil the time of the last entry it covers (checkpoints carry no time of their own)
   * @param signatureVerified whether its signature verifies with the log's public key and its root
   *     matches the log's own tree
   * @param detail what was checked, or what failed
   * @param signedNote the checkpoint text, verbatim
   */
  public record CheckpointStatus(long size, String rootHash, Optional<Instant> coversUntil, boolean signatureVerified,
      String detail, String signedNote) {}

  /**
   * One full verification.
   *
   * @param id its id
   * @param requestedBy who ran it
   * @param startedAt when it started
   * @param finishedAt when it finished
   * @param entries entries checked (up to the problem, if any)
   * @param checkpoints checkpoints whose signature and root were checked
   * @param ok true when nothing was wrong
   * @param problemIndex the index of the first problem
   * @param problem what was wrong and what to do
   * @param verifierKey the key the checkpoints were checked with
   * @param auditRecord the {@code audit.verified} record of this run
   */
  public record Verification(String id, String requestedBy, Instant startedAt, Instant finishedAt, long entries,
      int checkpoints, boolean ok, Optional<Long> problemIndex, Optional<String> problem, String verifierKey,
      long auditRecord) {}

  /**
   * Both, for the console's integrity page.
   *
   * @param verifierKey the log's public verifier key, for auditors' offline checks
   * @param logSize entries in the log now
   * @param latestCheckpoint empty before the first checkpoint
   * @param lastVerification empty until someone runs one
   */
  public record Status(String verifierKey, long logSize, Optional<CheckpointStatus> latestCheckpoint,
      Optional<Verification> lastVerification) {}

  private final AuditLog log;
  private final DataSource db;
  private final ReentrantLock running = new ReentrantLock();

  @Inject
  public AuditIntegrity(AuditLog log, ApplianceDatabase db) {
    this(log, db.dataSource());
  }

  public AuditIntegrity(AuditLog log, DataSource db) {
    this.log = log;
    this.db = db;
  }

  /** The latest checkpoint (signature checked now) and the last full verification. */
  public Status status() {
    return new Status(log.verifierKey(), log.size(), log.latestCheckpoint().map(this::check), lastVerification());
  }

  private CheckpointStatus check(Checkpoint cp) {
    Optional<Instant> until = Optional.empty();
    if (cp.size() > 0) {
      try {
        until = Optional.of(AuditLeaf.decode(log.leaf(cp.size() - 1)).time());
      } catch (AuditLogException | IllegalArgumentException e) {
        // the time is a convenience; the signature check below is what counts
      }
    }
    String root = Base64.getEncoder().encodeToString(cp.rootHash());
    try {
      NoteVerifier key = NoteVerifier.parse(log.verifierKey());
      CheckpointBody body = CheckpointBody.parse(key.verify(cp.signedNote()).text());
      if (!body.origin().equals(key.name()) || body.size() != cp.size()) {
        return new CheckpointStatus(cp.size(), root, until, false, "the signed text names origin '" + body.origin()
            + "' and size " + body.size() + ", not this log's", cp.signedNote());
      }
      if (!MessageDigest.isEqual(body.rootHash(), log.rootHash(cp.size()))) {
        return new CheckpointStatus(cp.size(), root, until, false, "the signature is valid but the log's tree of "
            + cp.size() + " entries has another root: run a full verification", cp.signedNote());
      }
      return new CheckpointStatus(cp.size(), root, until, true, "signed by " + key.verifierKey()
          + " and matching the log's tree", cp.signedNote());
    } catch (NoteFormatException | NoteVerificationException e) {
      return new CheckpointStatus(cp.size(), root, until, false, "the signature does not verify with the log's key: "
          + e.getMessage(), cp.signedNote());
    }
  }

  /** The most recent full verification, if any. */
  public Optional<Verification> lastVerification() {
    return Sql.query(db, "SELECT id, requested_by, started_at, finished_at, entries, checkpoints, ok, problem_index,"
        + " problem, verifier_key, audit_record FROM audit_verification ORDER BY finished_at DESC, id LIMIT 1",
        ps -> {}, rs -> rs.next() ? Optional.of(read(rs)) : Optional.empty());
  }

  /**
   * Verifies the whole log now, as {@code airlock audit verify} does (every leaf re-hashed, every
   * checkpoint's signature and root, consistency between checkpoints), stores the result and
   * records it as {@code audit.verified} by {@code requestedBy}. Takes as long as reading the log
   * (seconds per million entries); one at a time.
   *
   * @throws IllegalStateException a verification is already running
   * @throws AuditRefusedException the result could not be recorded in the log; it is not stored
   */
  public Verification verifyNow(String requestedBy) {
    String user = AccessRecords.requireUser(requestedBy, "verifier");
    if (!running.tryLock()) {
      throw new IllegalStateException("a full verification of the audit log is already running; wait for its result");
    }
    try {
      Instant started = Instant.now().truncatedTo(ChronoUnit.MICROS); // the database keeps microseconds
      String vkey = log.verifierKey();
      VerificationReport report;
      try {
        report = AuditLogReader.open(log.directory()).verify(NoteVerifier.parse(vkey));
      } catch (NoteFormatException e) {
        throw new IllegalStateException("the log's own verifier key does not parse: " + e.getMessage(), e);
      } catch (AuditLogException e) {
        report = new VerificationReport(0, 0, Optional.of(new VerificationReport.Problem(0, e.getMessage())),
            java.util.List.of());
      }
      Instant finished = Instant.now().truncatedTo(ChronoUnit.MICROS);
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("entries", Long.toString(report.entries()));
      fields.put("checkpoints", Integer.toString(report.checkpoints()));
      report.problem().ifPresent(p -> fields.put("problemIndex", Long.toString(p.index())));
      Map<String, Object> payload = new LinkedHashMap<>(fields);
      report.problem().ifPresent(p -> payload.put("problem", p.message()));
      payload.put("notes", report.notes());
      long audit = AccessRecords.append(log, TYPE_VERIFIED, user, report.ok() ? "ok" : "failed", fields, payload);
      Verification v = new Verification(UUID.randomUUID().toString(), user, started, finished, report.entries(),
          report.checkpoints(), report.ok(), report.problem().map(VerificationReport.Problem::index),
          report.problem().map(p -> truncate(p.message())), vkey, audit);
      Sql.inTransaction(db, c -> {
        try (var ps = c.prepareStatement("INSERT INTO audit_verification (id, requested_by, started_at, finished_at,"
            + " entries, checkpoints, ok, problem_index, problem, verifier_key, audit_record)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
          ps.setString(1, v.id());
          ps.setString(2, v.requestedBy());
          ps.setObject(3, v.startedAt().atOffset(ZoneOffset.UTC));
          ps.setObject(4, v.finishedAt().atOffset(ZoneOffset.UTC));
          ps.setLong(5, v.entries());
          ps.setInt(6, v.checkpoints());
          ps.setBoolean(7, v.ok());
          if (v.problemIndex().isPresent()) {
            ps.setLong(8, v.problemIndex().get());
          } else {
            ps.setNull(8, Types.BIGINT);
          }
          ps.setString(9, v.problem().orElse(null));
          ps.setString(10, v.verifierKey());
          ps.setLong(11, v.auditRecord());
          ps.executeUpdate();
        }
      });
      return v;
    } finally {
      running.unlock();
    }
  }

  private static String truncate(String s) {
    return s.length() <= 4000 ? s : s.substring(0, 3997) + "...";
  }

  private static Verification read(ResultSet rs) throws SQLException {
    long problemIndex = rs.getLong(8);
    Optional<Long> pi = rs.wasNull() ? Optional.empty() : Optional.of(problemIndex);
    return new Verification(rs.getString(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class).toInstant(),
        rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getLong(5), rs.getInt(6), rs.getBoolean(7), pi,
        Optional.ofNullable(rs.getString(9)), rs.getString(10), rs.getLong(11));
  }
}
