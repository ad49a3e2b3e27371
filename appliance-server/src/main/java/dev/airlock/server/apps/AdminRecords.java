package dev.airlock.server.apps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditRecord;
import java.util.Collection;
import java.util.Map;

/**
 * Audit records of operator actions (apps, keys, models, aliases): the details as the encrypted
 * payload, and the identifying values (ids, names, prefixes; never a secret) as searchable index fields.
 */
public final class AdminRecords {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdminRecords() {}

  public static AuditRecord of(String type, String actor, Map<String, Object> details) {
    AuditRecord.Builder b = AuditRecord.builder(type).actor(Actor.system(actor));
    details.forEach((k, v) -> {
      if (v == null) return;
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
}
