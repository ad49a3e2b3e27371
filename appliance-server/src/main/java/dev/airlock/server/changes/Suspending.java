package dev.airlock.server.changes;

import dev.airlock.audit.Actor;
import dev.airlock.policy.Policy;
import dev.airlock.server.vocabulary.AdminRecords;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a change that judges models anew (a policy, an organization profile) does once its record
 * is written, as the policy's {@code on_regression} says: by default suspends, on the same
 * transaction, every approved or active version it judges worse ({@code model.suspended}, after the
 * change's own record), and once committed reviews them again, so they wait for the DPOs or are
 * denied; with {@code keep-pending-decision} keeps them served and waiting for a DPO's recorded
 * decision ({@code model.regression_pending}).
 */
final class Suspending {
  private Suspending() {}

  static Change.Applied after(Connection c, Change.Targets targets, Map<String, String> worse, String confirmedBy,
                              Map<String, Object> details, Policy.OnRegression onRegression) {
    String actor = AdminRecords.USER_PREFIX + confirmedBy;
    details.put("onRegression", onRegression.label());
    if (onRegression == Policy.OnRegression.KEEP_PENDING_DECISION) {
      return new Change.Applied(details, () -> targets.suspensions().hold(c, worse, actor), () -> {});
    }
    List<String> suspended = new ArrayList<>();
    return new Change.Applied(details, () -> suspended.addAll(targets.suspensions().suspend(c, worse, actor)),
        () -> targets.suspensions().requeue(suspended, Actor.user(confirmedBy)));
  }
}
