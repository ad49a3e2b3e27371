package dev.airlock.server.vocabulary;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditRecord;
import java.util.Map;

/**
 * Audit records of operator actions (apps, keys, models, aliases): the details as the encrypted
 * payload, and the identifying values (ids, names, prefixes; never a secret, never a person) as
 * searchable index fields.
 */
public final class AdminRecords {
  private AdminRecords() {}

  /** The prefix of an actor string that names a console user; without it the actor is a system component. */
  public static final String USER_PREFIX = "user:";

  /** The actor an actor string names: {@code user:<name>} a person, anything else a component. */
  public static Actor actor(String actor) {
    return actor.startsWith(USER_PREFIX) ? Actor.user(actor.substring(USER_PREFIX.length())) : Actor.system(actor);
  }

  public static AuditRecord of(String type, String actor, Map<String, Object> details) {
    return of(type, actor, "ok", details);
  }

  /** A record with an outcome other than {@code ok} ({@code refused}, {@code throttled}, ...). */
  public static AuditRecord of(String type, String actor, String status, Map<String, Object> details) {
    return AuditRecord.ofDetails(type, actor(actor), status, details);
  }
}
