package dev.airlock.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One thing that happened, as the caller hands it to {@link AuditLog#append}.
 *
 * <p>What is stored in plaintext in the leaf (searchable, survives erasure): {@code type},
 * {@code time}, the actor kind and, for apps and the system, the actor id, {@code model},
 * {@code requestId}, {@code status} and {@code indexFields}. What is stored as AES-256-GCM
 * ciphertext under the subject's data key (unreadable after {@link AuditLog#erase}): the
 * {@code subject}, a user actor's id, and the {@code payload}. Callers must therefore never put
 * personal data in {@code indexFields}; it belongs in the payload.
 *
 * @param type what kind of record, e.g. {@code inference.request}, {@code inference.response},
 *     {@code admin.model.approve}; lowercase dotted words
 * @param time when it happened (stored to the nanosecond)
 * @param actor who caused it
 * @param subject whose personal data the record carries (the unit of erasure); empty for records
 *     about nobody in particular
 * @param model the model id involved, if any
 * @param requestId the gateway request id that ties a request to its response, if any
 * @param status the outcome in one word ({@code ok}, {@code refused}, {@code error}, ...)
 * @param indexFields further plaintext, searchable key/value pairs (never personal data)
 * @param payload the record body (prompt, response, admin details); stored encrypted
 */
public record AuditRecord(
    String type,
    Instant time,
    Actor actor,
    Optional<String> subject,
    Optional<String> model,
    Optional<String> requestId,
    String status,
    Map<String, String> indexFields,
    byte[] payload) {
  /** Lowercase dotted words; compiled once, since every gateway request builds two records. */
  private static final java.util.regex.Pattern TYPE_FORMAT = java.util.regex.Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)*");

  /** Record types that Airlock itself writes. */
  public static final String TYPE_ERASURE = "audit.erasure";

  public static final String TYPE_RETENTION = "audit.retention";

  public AuditRecord {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(indexFields, "indexFields");
    Objects.requireNonNull(payload, "payload");
    if (!TYPE_FORMAT.matcher(type).matches()) {
      throw new IllegalArgumentException(
          "record type must be lowercase dotted words such as 'inference.request', got '" + type + "'");
    }
    subject.ifPresent(s -> requireNonEmpty(s, "subject"));
    indexFields.forEach((k, v) -> {
      Objects.requireNonNull(k, "index field name");
      Objects.requireNonNull(v, "index field value for " + k);
    });
    // Sorted and unmodifiable: the leaf encoding writes fields in key order, so equal records
    // encode to equal bytes whatever map the caller used.
    indexFields = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(indexFields));
    payload = payload.clone();
  }

  private static void requireNonEmpty(String s, String what) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty; use Optional.empty() for none");
    }
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /** Everything except the payload: what listeners (the query index, the mirror) receive. */
  public RecordSummary summary() {
    return new RecordSummary(type, time, actor, subject, model, requestId, status, indexFields);
  }

  /** Details that name or locate a person: {@link #ofDetails} keeps them in the encrypted payload only. */
  public static final Set<String> PERSONAL_DETAILS = Set.of("username", "address", "subject", "justification",
      "proposedBy", "confirmedBy", "declinedBy");

  private static final ObjectMapper DETAILS_JSON = new ObjectMapper();

  /**
   * A record of an administrative action: {@code details} as the payload (JSON), and each detail
   * that is not in {@link #PERSONAL_DETAILS} and not null also as a searchable index field (a
   * collection as its values joined by commas); a {@code modelId} detail names the model.
   */
  public static AuditRecord ofDetails(String type, Actor actor, String status, Map<String, ?> details) {
    Builder b = builder(type).actor(actor).status(status);
    details.forEach((k, v) -> {
      if (v == null || PERSONAL_DETAILS.contains(k)) return;
      b.indexField(k, v instanceof Collection<?> c
          ? String.join(",", c.stream().map(String::valueOf).toList()) : String.valueOf(v));
    });
    Object model = details.get("modelId");
    if (model != null) b.model(model.toString());
    try {
      b.payload(DETAILS_JSON.writeValueAsBytes(details));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the details of a " + type + " record are not JSON: " + e.getMessage(), e);
    }
    return b.build();
  }

  /** Starts a record of the given type at the current time with status {@code ok}. */
  public static Builder builder(String type) {
    return new Builder(type);
  }

  /** Fluent construction; every field but the type has a default. */
  public static final class Builder {
    private final String type;
    private Instant time = Instant.now();
    private Actor actor = Actor.system("airlock");
    private Optional<String> subject = Optional.empty();
    private Optional<String> model = Optional.empty();
    private Optional<String> requestId = Optional.empty();
    private String status = "ok";
    private final Map<String, String> indexFields = new TreeMap<>();
    private byte[] payload = new byte[0];

    private Builder(String type) {
      this.type = type;
    }

    public Builder time(Instant time) {
      this.time = time;
      return this;
    }

    public Builder actor(Actor actor) {
      this.actor = actor;
      return this;
    }

    public Builder subject(String subject) {
      this.subject = Optional.of(subject);
      return this;
    }

    public Builder model(String model) {
      this.model = Optional.of(model);
      return this;
    }

    public Builder requestId(String requestId) {
      this.requestId = Optional.of(requestId);
      return this;
    }

    public Builder status(String status) {
      this.status = status;
      return this;
    }

    public Builder indexField(String name, String value) {
      indexFields.put(name, value);
      return this;
    }

    public Builder payload(byte[] payload) {
      this.payload = payload;
      return this;
    }

    public AuditRecord build() {
      return new AuditRecord(type, time, actor, subject, model, requestId, status, indexFields, payload);
    }
  }
}
