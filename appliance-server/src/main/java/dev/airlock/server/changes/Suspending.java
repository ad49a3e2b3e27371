package dev.airlock.server.changes;

import dev.airlock.audit.Actor;
import dev.airlock.server.vocabulary.AdminRecords;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a change that judges models anew (a policy, an organization profile) does once its record
 * is written: suspends, on the same transaction, every approved or active version it judges worse
 * ({@code model.suspended}, after the change's own record), and once committed reviews them again,
 * so they wait for the DPOs or are denied.
 */
final class Suspending {
  private Suspending() {}

  static Change.Applied after(Connection c, Change.Targets targets, Map<String, String> worse, String confirmedBy,
                              Map<String, Object> details) {
    List<String> suspended = new ArrayList<>();
    String actor = AdminRecords.USER_PREFIX + confirmedBy;
    return new Change.Applied(details, () -> suspended.addAll(targets.suspensions().suspend(c, worse, actor)),
        () -> targets.suspensions().requeue(suspended, Actor.user(confirmedBy)));
  }
}
