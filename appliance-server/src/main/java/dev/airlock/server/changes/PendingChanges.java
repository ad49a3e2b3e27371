package dev.airlock.server.changes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.airlock.audit.AuditLog;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.server.vocabulary.Refusal;
import dev.airlock.server.vocabulary.Sql;
import dev.airlock.server.vocabulary.AdminRecords;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.ConsoleUser;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
import dev.airlock.server.policy.OrgProfiles;
import dev.airlock.server.policy.PolicyAdmin;
import dev.airlock.server.review.Suspensions;
import dev.airlock.server.trust.TrustAdmin;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The two-person mechanism: an ADMIN {@linkplain #propose proposes} a {@link Change}; a DPO who is
 * neither the proposer nor the one it gives powers to {@linkplain #confirm confirms} it (it is
 * applied, and one record naming both people is appended, in one transaction: if the record cannot
 * be written nothing is applied and the change stays pending) or {@linkplain #decline declines} it.
 * Who may do what is checked here against the accounts as stored, whatever route the call came
 * through; each refusal is a {@link Refusal} that says what to do instead.
 */
@Singleton
public class PendingChanges {
  public static final String PROPOSED = "change.proposed";
  public static final String DECLINED = "change.declined";
  public static final String PASSWORD_ISSUED = "user.password_issued";

  /** How many decided changes the console and the API show besides the pending ones. */
  public static final int RECENT = 20;

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final DataSource db;
  private final AuditLog audit;
  private final Users users;
  private final Change.Targets targets;
  private final Clock clock = Clock.systemUTC();

  @Inject
  public PendingChanges(ApplianceDatabase database, AuditLog audit, Users users, PolicyAdmin policies, TrustAdmin trust,
                        OrgProfiles profiles, Suspensions suspensions) {
    this.db = database.dataSource();
    this.audit = audit;
    this.users = users;
    this.targets = new Change.Targets(users, policies, trust, profiles, suspensions);
  }

  /** A confirmed change, with the details of its audit record. */
  public record Confirmed(PendingChange change, Map<String, Object> recorded) {}

  /** A one-time password released to the proposer of a confirmed grant. */
  public record ReleasedPassword(String username, String oneTimePassword) {}

  /**
   * Stores {@code change} as pending, proposed by {@code proposer} (an ADMIN), with its
   * {@code change.proposed} record.
   */
  public PendingChange propose(Change change, String proposer) {
    requireProposer(proposer);
    change.check(targets);
    PendingChange[] out = new PendingChange[1];
    Sql.inTransaction(db, c -> out[0] = proposeOn(c, change, proposer, Map.of()));
    return out[0];
  }

  /**
   * Stores a proposal on the caller's transaction and appends its one {@code change.proposed}
   * record, with {@code extra} details (what the same transaction did besides, such as making
   * the account a grant is for). The caller has checked the proposer and the change.
   */
  PendingChange proposeOn(Connection c, Change change, String proposer, Map<String, Object> extra) throws SQLException {
    for (PendingChange p : read(c, " WHERE state = 'PENDING'", ps -> {})) {
      if (p.change().conflictKey().equals(change.conflictKey())) {
        throw Refusal.conflict("already_proposed", "A change to the same thing is already waiting for a DPO ("
            + p.summary() + ", proposed by " + p.proposedBy() + ", change " + p.id() + "): have it confirmed or"
            + " declined first.");
      }
    }
    String id = UUID.randomUUID().toString();
    Instant now = clock.instant();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO pending_change (id, kind, change_json, summary,"
        + " beneficiary, proposed_by, proposed_at, state, password_released) VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', FALSE)")) {
      ps.setString(1, id);
      ps.setString(2, change.kind().name());
      ps.setString(3, json(change));
      ps.setString(4, truncate(change.summary(), 1000));
      ps.setString(5, change.beneficiary().orElse(null));
      ps.setString(6, proposer);
      ps.setObject(7, now.atOffset(ZoneOffset.UTC));
      ps.executeUpdate();
    }
    Map<String, Object> details = header(id, change);
    details.putAll(change.details());
    details.putAll(extra);
    audit.append(AdminRecords.of(PROPOSED, AdminRecords.USER_PREFIX + proposer, details));
    return new PendingChange(id, change, proposer, now, PendingChange.State.PENDING, Optional.empty(),
        Optional.empty(), false);
  }

  /**
   * Confirms change {@code id} as {@code confirmer}, who must be a DPO other than its proposer
   * and other than the account it gives powers to: applies it and appends the one record that
   * names both, in one transaction.
   */
  public Confirmed confirm(String id, String confirmer) {
    PendingChange p = require(id);
    requireConfirmer(p, confirmer);
    requirePending(p);
    Map<String, Object> recorded = new LinkedHashMap<>();
    java.util.concurrent.atomic.AtomicReference<Change.Applied> done = new java.util.concurrent.atomic.AtomicReference<>();
    Sql.inTransaction(db, c -> {
      claim(c, p, PendingChange.State.CONFIRMED, confirmer);
      Change.Applied applied = p.change().apply(c, targets, p.proposedBy(), confirmer);
      recorded.putAll(header(p.id(), p.change()));
      recorded.put("proposedBy", p.proposedBy());
      recorded.put("confirmedBy", confirmer);
      recorded.putAll(applied.details());
      audit.append(AdminRecords.of(p.change().appliedRecordType(), AdminRecords.USER_PREFIX + confirmer, recorded));
      applied.afterRecord().run();
      done.set(applied);
    });
    done.get().afterCommit().run();
    return new Confirmed(require(id), recorded);
  }

  /**
   * Declines change {@code id}: a DPO may decline any, its proposer may withdraw it. Nothing is
   * applied; the {@code change.declined} record names both people.
   */
  public PendingChange decline(String id, String decider) {
    PendingChange p = require(id);
    if (!p.proposedBy().equals(decider)) {
      ConsoleUser who = person(decider);
      if (!actsAsDpo(who)) {
        throw Refusal.forbidden("dpo_required", "Only a DPO, or the ADMIN who proposed it (" + p.proposedBy()
            + "), may decline this change.");
      }
    }
    requirePending(p);
    Sql.inTransaction(db, c -> {
      claim(c, p, PendingChange.State.DECLINED, decider);
      Map<String, Object> details = header(p.id(), p.change());
      details.putAll(p.change().details());
      details.put("proposedBy", p.proposedBy());
      details.put("declinedBy", decider);
      audit.append(AdminRecords.of(DECLINED, AdminRecords.USER_PREFIX + decider, details));
    });
    return require(id);
  }

  /**
   * Gives the account of a confirmed grant (a new account, or a password reset) its one-time
   * password and returns it, once, to the ADMIN who proposed the grant. The password is made now
   * and never stored.
   */
  public ReleasedPassword releaseOneTimePassword(String id, String requester) {
    PendingChange p = require(id);
    if (!(p.change() instanceof RoleGrant grant) || !grant.comesWithPassword()) {
      throw Refusal.conflict("no_password", "This change gives no account a one-time password.");
    }
    if (!p.proposedBy().equals(requester)) {
      throw Refusal.forbidden("not_the_proposer", "Only " + p.proposedBy() + ", who proposed this change, receives"
          + " the one-time password of " + grant.username() + ": ask them.");
    }
    switch (p.state()) {
      case PENDING -> throw Refusal.conflict("not_confirmed", "The one-time password of " + grant.username()
          + " is released once a DPO confirms the change; it is still waiting.");
      case DECLINED -> throw Refusal.conflict("not_confirmed", "This change was declined, so " + grant.username()
          + " gets no password from it; propose it again if it is still needed.");
      case CONFIRMED -> { }
    }
    if (p.passwordReleased()) {
      throw Refusal.conflict("already_released", "The one-time password of " + grant.username() + " was already"
          + " released; it is never shown twice. If it was lost, reset the password (a DPO confirms it again).");
    }
    String[] password = new String[1];
    Sql.inTransaction(db, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE pending_change SET password_released = TRUE WHERE id = ? AND password_released = FALSE")) {
        ps.setString(1, id);
        if (ps.executeUpdate() != 1) {
          throw Refusal.conflict("already_released", "The one-time password of " + grant.username()
              + " was just released to another request.");
        }
      }
      password[0] = users.issueOneTimePasswordOn(c, grant.username());
      Map<String, Object> details = header(p.id(), p.change());
      details.put("username", grant.username());
      audit.append(AdminRecords.of(PASSWORD_ISSUED, AdminRecords.USER_PREFIX + requester, details));
    });
    return new ReleasedPassword(grant.username(), password[0]);
  }

  /** Changes waiting for a DPO, oldest first. */
  public List<PendingChange> pending() {
    return query(" WHERE state = 'PENDING' ORDER BY proposed_at, id", ps -> {});
  }

  /** The latest decided changes, newest first. */
  public List<PendingChange> recent() {
    List<PendingChange> decided = query(" WHERE state <> 'PENDING' ORDER BY decided_at DESC, id", ps -> {});
    return decided.subList(0, Math.min(RECENT, decided.size()));
  }

  public Optional<PendingChange> find(String id) {
    return query(" WHERE id = ?", ps -> ps.setString(1, id)).stream().findFirst();
  }

  /** The roles waiting for a DPO per account, for the Users page. */
  public Map<String, List<String>> pendingRoles() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (PendingChange p : pending()) {
      if (p.change() instanceof RoleGrant g) out.put(g.username(), Users.roleNames(g.roles()));
    }
    return out;
  }

  // ---- who may ----

  /** The proposer must be an enabled ADMIN account: the operator token or a DPO proposes nothing. */
  void requireProposer(String proposer) {
    ConsoleUser who = person(proposer);
    if (!who.roles().contains(Role.ADMIN)) {
      throw Refusal.forbidden("admin_required", "Only an ADMIN proposes changes; " + proposer + " is not one.");
    }
  }

  private void requireConfirmer(PendingChange p, String confirmer) {
    ConsoleUser who = person(confirmer);
    if (who.roles().contains(Role.ADMIN) && who.roles().contains(Role.DPO)) {
      throw Refusal.forbidden("separation_of_duties", Access.splitAccount(confirmer));
    }
    if (!actsAsDpo(who)) {
      throw Refusal.forbidden("dpo_required", "Only a DPO confirms a change, and " + confirmer + " is not one: ask a"
          + " DPO to confirm it (it waits for them under Changes).");
    }
    if (p.proposedBy().equals(confirmer)) {
      throw Refusal.forbidden("own_proposal", "You proposed this change, so you cannot confirm it: a DPO other than"
          + " you must.");
    }
    if (p.change().beneficiary().filter(confirmer::equals).isPresent()) {
      throw Refusal.forbidden("own_grant", "This change gives your own account new powers, so you cannot confirm it:"
          + " another DPO must.");
    }
  }

  private ConsoleUser person(String username) {
    return users.find(username).filter(u -> !u.disabled()).orElseThrow(() -> Refusal.forbidden("person_required",
        "Changes are proposed, confirmed and declined by people signed in with their own account; '" + username
            + "' is not an enabled console user."));
  }

  private static boolean actsAsDpo(ConsoleUser u) {
    return u.roles().contains(Role.DPO) && !u.roles().contains(Role.ADMIN);
  }

  private static void requirePending(PendingChange p) {
    if (p.state() != PendingChange.State.PENDING) {
      throw Refusal.conflict("not_pending", "This change was already " + p.state().name().toLowerCase(java.util.Locale.ROOT)
          + " by " + p.decidedBy().orElse("?") + " at " + p.decidedAt().map(Object::toString).orElse("?")
          + "; nothing was done.");
    }
  }

  private PendingChange require(String id) {
    return find(id).orElseThrow(() -> new NoSuchElementException("no change '" + id + "': list the pending ones with"
        + " GET /admin/changes"));
  }

  // ---- storage ----

  /** Moves a pending change to its decision; refused when another decision came first. */
  private void claim(Connection c, PendingChange p, PendingChange.State to, String by) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE pending_change SET state = ?, decided_by = ?, decided_at = ?"
        + " WHERE id = ? AND state = 'PENDING'")) {
      ps.setString(1, to.name());
      ps.setString(2, by);
      ps.setObject(3, clock.instant().atOffset(ZoneOffset.UTC));
      ps.setString(4, p.id());
      if (ps.executeUpdate() != 1) {
        throw Refusal.conflict("not_pending", "This change was decided by someone else just now; nothing was done.");
      }
    }
  }

  private static Map<String, Object> header(String id, Change change) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("change", id);
    d.put("kind", change.kind().label());
    return d;
  }

  private List<PendingChange> query(String where, Sql.Binder binder) {
    List<PendingChange> out = new ArrayList<>();
    Sql.inTransaction(db, c -> out.addAll(read(c, where, binder)));
    return out;
  }

  private static List<PendingChange> read(Connection c, String where, Sql.Binder binder) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT id, kind, change_json, proposed_by, proposed_at, state,"
        + " decided_by, decided_at, password_released FROM pending_change" + where)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        List<PendingChange> out = new ArrayList<>();
        while (rs.next()) {
          OffsetDateTime decidedAt = rs.getObject(8, OffsetDateTime.class);
          out.add(new PendingChange(rs.getString(1), change(rs.getString(2), rs.getString(3)), rs.getString(4),
              rs.getObject(5, OffsetDateTime.class).toInstant(), PendingChange.State.valueOf(rs.getString(6)),
              Optional.ofNullable(rs.getString(7)), Optional.ofNullable(decidedAt).map(OffsetDateTime::toInstant),
              rs.getBoolean(9)));
        }
        return out;
      }
    }
  }

  private static Change change(String kind, String json) {
    try {
      return JSON.readValue(json, Change.Kind.valueOf(kind).type());
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalStateException("a stored change of kind " + kind + " cannot be read (" + e.getMessage()
          + "); was the server downgraded?", e);
    }
  }

  private static String json(Change change) {
    try {
      return JSON.writeValueAsString(change);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a change cannot be stored: " + e.getMessage(), e);
    }
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
