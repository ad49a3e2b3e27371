package dev.airlock.server.review;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditLog;
import dev.airlock.server.vocabulary.AdminRecords;
import dev.airlock.server.vocabulary.Refusal;
import dev.airlock.server.vocabulary.ServerFailure;
import dev.airlock.server.vocabulary.Sql;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.LifecycleEvent;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes approved versions out of service when what they were approved on no longer holds: a new
 * policy (or organization profile) judges them worse, or a key that vouched for them was revoked.
 * A suspended version is not served (the gateway serves only ACTIVE ones); each suspension is a
 * {@code model.suspended} record committed with the catalog's move. After a policy change the
 * version is then reviewed again, so it waits in the DPOs' queue (or is DENIED outright).
 */
public final class Suspensions {
  private static final Logger LOG = LoggerFactory.getLogger(Suspensions.class);

  private final Vault vault;
  private final AuditLog audit;
  private final DataSource db;
  private final ModelReviews reviews;

  public Suspensions(Vault vault, AuditLog audit, DataSource db, ModelReviews reviews) {
    this.vault = vault;
    this.audit = audit;
    this.db = db;
    this.reviews = reviews;
  }

  /**
   * In the caller's transaction on {@code c}: every named version that is APPROVED or ACTIVE moves
   * to SUSPENDED, each with its reason, and is recorded. Returns the ids it moved.
   *
   * @param reasons version id to the reason the record and the catalog's history give
   */
  public List<String> suspend(Connection c, Map<String, String> reasons, String actor) throws SQLException {
    List<String> moved = new ArrayList<>();
    for (Map.Entry<String, String> e : reasons.entrySet()) {
      Optional<ModelVersion> v = vault.catalog().find(c, e.getKey());
      if (v.isEmpty() || !v.get().state().isApproved()) continue;
      LifecycleEvent event = vault.catalog().transition(c, e.getKey(), LifecycleState.SUSPENDED, actor,
          Optional.of(e.getValue()));
      Map<String, Object> details = new LinkedHashMap<>(event.auditDetails());
      details.put("reason", e.getValue());
      audit.append(AdminRecords.of("model.suspended", actor, details));
      moved.add(e.getKey());
    }
    return moved;
  }

  /** A model judged worse and kept in service until a DPO decides. */
  public record PendingRegression(String id, ModelVersion version, String reason, String raisedBy, Instant raisedAt) {}

  /**
   * In the caller's transaction on {@code c}, for a policy that says {@code keep-pending-decision}:
   * every named version that is APPROVED or ACTIVE stays as it is (still served) and waits for a
   * DPO's recorded decision, each recorded as {@code model.regression_pending}. Returns the ids.
   */
  public List<String> hold(Connection c, Map<String, String> reasons, String actor) throws SQLException {
    List<String> held = new ArrayList<>();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    for (Map.Entry<String, String> e : reasons.entrySet()) {
      Optional<ModelVersion> v = vault.catalog().find(c, e.getKey());
      if (v.isEmpty() || !v.get().state().isApproved()) continue;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO model_regression (id, version_id, reason, raised_by,"
          + " raised_at) VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, UUID.randomUUID().toString());
        ps.setString(2, e.getKey());
        ps.setString(3, e.getValue().length() > 2048 ? e.getValue().substring(0, 2048) : e.getValue());
        ps.setString(4, actor);
        ps.setObject(5, now.atOffset(ZoneOffset.UTC));
        ps.executeUpdate();
      }
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("catalogVersionId", v.get().id());
      details.put("catalogModel", v.get().modelName());
      details.put("catalogVersion", v.get().version());
      details.put("state", v.get().state().name());
      details.put("reason", e.getValue());
      audit.append(AdminRecords.of("model.regression_pending", actor, details));
      held.add(e.getKey());
    }
    return held;
  }

  /** The models kept in service until a DPO decides, oldest first. */
  public List<PendingRegression> pendingRegressions() {
    List<String[]> rows = Sql.query(db, "SELECT id, version_id, reason, raised_by, raised_at FROM model_regression"
        + " WHERE decision IS NULL ORDER BY raised_at, id", ps -> {}, rs -> {
          List<String[]> out = new ArrayList<>();
          while (rs.next()) {
            out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getObject(5, OffsetDateTime.class).toInstant().toString()});
          }
          return out;
        });
    List<PendingRegression> out = new ArrayList<>();
    for (String[] r : rows) {
      try {
        vault.catalog().find(r[1]).ifPresent(v -> out.add(new PendingRegression(r[0], v, r[2], r[3], Instant.parse(r[4]))));
      } catch (SQLException e) {
        throw new ServerFailure("the vault catalog cannot be read: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /**
   * A DPO's recorded decision on a model kept in service after a regression: keep it (recorded as
   * {@code model.regression_kept} with the justification) or suspend it (as a policy that says
   * suspend would have: {@code model.suspended}, then reviewed again).
   *
   * @throws Refusal {@code no_pending_regression} when nothing waits for this version (409)
   */
  public void decide(String versionId, String dpo, boolean keep, String justification) {
    String why = justification == null ? "" : justification.strip();
    if (why.length() < ModelReviews.MIN_JUSTIFICATION_CHARS || why.length() > ModelReviews.MAX_JUSTIFICATION_CHARS) {
      throw new IllegalArgumentException("a justification of " + ModelReviews.MIN_JUSTIFICATION_CHARS + " to "
          + ModelReviews.MAX_JUSTIFICATION_CHARS + " characters is required: say why the model may stay served, or"
          + " why it must stop");
    }
    String actor = AdminRecords.USER_PREFIX + dpo;
    List<String> suspended = new ArrayList<>();
    Sql.inTransaction(db, c -> {
      List<String> open = new ArrayList<>();
      List<String> reasons = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, reason FROM model_regression WHERE version_id = ?"
          + " AND decision IS NULL ORDER BY raised_at FOR UPDATE")) {
        ps.setString(1, versionId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            open.add(rs.getString(1));
            reasons.add(rs.getString(2));
          }
        }
      }
      if (open.isEmpty()) {
        throw Refusal.conflict("no_pending_regression", "no regression of model version " + versionId + " waits for a"
            + " decision: GET /admin/reviews lists those that do");
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE model_regression SET decision = ?, decided_by = ?,"
          + " justification = ?, decided_at = ? WHERE id = ?")) {
        for (String id : open) {
          ps.setString(1, keep ? "KEEP" : "SUSPEND");
          ps.setString(2, actor);
          ps.setString(3, why);
          ps.setObject(4, Instant.now().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC));
          ps.setString(5, id);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      if (keep) {
        ModelVersion v = vault.catalog().find(c, versionId).orElseThrow();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("catalogVersionId", v.id());
        details.put("catalogModel", v.modelName());
        details.put("catalogVersion", v.version());
        details.put("reasons", reasons);
        details.put("justification", why);
        audit.append(AdminRecords.of("model.regression_kept", actor, details));
      } else {
        suspended.addAll(suspend(c, Map.of(versionId, String.join("; ", reasons) + "; suspended by " + dpo), actor));
      }
    });
    requeue(suspended, Actor.user(dpo));
  }

  /**
   * After the suspending transaction committed: reviews each version again under the active
   * policy, so it returns to the DPOs' queue. One that cannot be reviewed stays SUSPENDED (never
   * served) and is logged; the review intake does not retry it, a person does (POST
   * /admin/reviews/{id}/review).
   */
  public void requeue(List<String> versionIds, Actor actor) {
    for (String id : versionIds) {
      try {
        reviews.review(id, actor);
      } catch (RuntimeException e) {
        LOG.warn("suspended model version {} could not be reviewed again and stays SUSPENDED: {}", id, e.getMessage());
      }
    }
  }

  /**
   * Every APPROVED or ACTIVE version the key vouched for, as transfer signer or publisher, is
   * suspended in one transaction with its records. Returns the ids.
   */
  public List<String> suspendSignedBy(String fingerprintHex, String keyName, String actor) {
    Map<String, String> reasons = new LinkedHashMap<>();
    try {
      for (ModelVersion v : vault.catalog().list()) {
        boolean transfer = fingerprintHex.equalsIgnoreCase(v.provenance().transferSignerFingerprint());
        boolean publisher = v.provenance().publisherSignature().signerFingerprint()
            .map(fingerprintHex::equalsIgnoreCase).orElse(false);
        if ((transfer || publisher) && v.state().isApproved()) {
          reasons.put(v.id(), "the " + (transfer ? "transfer" : "publisher") + " key '" + keyName
              + "' that vouched for it was revoked");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("the vault catalog cannot be read: " + e.getMessage(), e);
    }
    List<String> moved = new ArrayList<>();
    Sql.inTransaction(db, c -> moved.addAll(suspend(c, reasons, actor)));
    return moved;
  }
}
