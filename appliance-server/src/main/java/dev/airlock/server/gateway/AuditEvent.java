package dev.airlock.server.gateway;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One audit record the gateway produces: a type ({@code inference.request},
 * {@code inference.response}, {@code app.created}, ...), who it is about, index fields, and the
 * {@code payload}: the sensitive part (prompt, response) kept apart so the log can encrypt it.
 * Maps keep their insertion order; a null value means "not known" and is recorded as such.
 */
public record AuditEvent(String type, String subject, Map<String, Object> fields, Map<String, Object> payload) {
  public AuditEvent {
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    payload = Collections.unmodifiableMap(new LinkedHashMap<>(payload));
  }

  public static AuditEvent admin(String type, String actor, Map<String, Object> fields) {
    return new AuditEvent(type, actor, fields, Map.of());
  }
}
