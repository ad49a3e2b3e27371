package dev.airlock.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A record without its payload, in plaintext: what the query index needs to find a record and
 * what {@link AuditListener}s receive. It includes the personal fields (subject, user actor) in
 * the clear, so whoever stores it must honour {@link AuditListener#onErased} too.
 */
public record RecordSummary(
    String type,
    Instant time,
    Actor actor,
    Optional<String> subject,
    Optional<String> model,
    Optional<String> requestId,
    String status,
    Map<String, String> indexFields) {}
