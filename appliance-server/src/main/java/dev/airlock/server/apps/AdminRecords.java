package dev.airlock.server.apps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditRecord;
import java.util.Collection;
import java.util.Map;

/**
 * Audit records of operator actions (apps, keys, models, aliases): the details as the encrypted
 * payload, and the identifying values (ids, names, prefixes; never a secret, never a person) as
 * searchable index fields.
 */
public final class AdminRecords {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdminRecords() {}

  /** The prefix of an actor string that names a console user; without it the actor is a system component. */
  public static final String USER_PREFIX = "user:";

  /** Details that name or locate a person: kept in the encrypted payload only, never as index fields. */
  private static final java.util.Set<String> PERSONAL = java.util.Set.of("username", "address", "subject", "justification");

  /** The actor an actor string names: {@code user:<name>} a person, anything else a component. */
  public static Actor actor(String actor) {
    return actor.startsWith(USER_PREFIX) ? Actor.user(actor.substring(USER_PREFIX.length())) : Actor.system(actor);
  }

  public static AuditRecord of(String type, String actor, Map<String, Object> details) {
    return of(type, actor, "ok", details);
  }

  /** A record with an outcome other than {@code ok} ({@code refused}, {@code throttled}, ...). */
  public static AuditRecord of(String type, String actor, String status, Map<String, Object> details) {
    AuditRecord.Builder b = AuditRecord.builder(type).actor(actor(actor)).status(status);
    details.forEach((k, v) -> {
      if (v == null || PERSONAL.contains(k)) return;
      b.indexField(k, v instanceof Collection<?> c ? String.join(",", c.stream().map(String::valueOf).toList()) : String.valueOf(v));
    });
    Object model = details.get("modelId");
    if (model != null) b.model(model.toString());
    try {
      b.payload(JSON.writeValueAsBytes(details));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return b.build();
  }

  /** The details of a catalog lifecycle move, as every record of one names them. */
  public static Map<String, Object> lifecycle(dev.airlock.vault.catalog.LifecycleEvent e) {
    Map<String, Object> l = new java.util.LinkedHashMap<>();
    l.put("catalogVersionId", e.versionId());
    l.put("catalogModel", e.modelName());
    l.put("catalogVersion", e.modelVersion());
    l.put("from", e.from().map(Enum::name).orElse(null));
    l.put("to", e.to().name());
    return l;
  }
}
