package dev.airlock.server.review;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditLog;
import dev.airlock.server.vocabulary.Sql;
import dev.airlock.server.vocabulary.AdminRecords;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.LifecycleEvent;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    List<List<String>> moved = new ArrayList<>();
    Sql.inTransaction(db, c -> moved.add(suspend(c, reasons, actor)));
    return moved.getFirst();
  }
}
