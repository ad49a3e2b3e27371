/**
 * The audit services a security analyst's console calls: search ({@link
 * dev.airlock.server.auditing.AuditSearch}), one record with its decrypted payload and a verified
 * inclusion proof, proven exports, integrity status and on-demand full verification ({@link
 * dev.airlock.server.auditing.AuditIntegrity}), request charts ({@link
 * dev.airlock.server.auditing.SvgCharts}) and GDPR erasure requests with four-eyes confirmation
 * ({@link dev.airlock.server.auditing.ErasureRequests}).
 *
 * <p>Owns: wiring the audit log's query index and, when configured, its Kafka mirror ({@link
 * dev.airlock.server.auditing.AuditServicesFactory}); recording every search, view, export,
 * verification and erasure step as an audit record before answering (fail closed: no record, no
 * answer); the two small tables {@code audit_verification} and {@code audit_erasure_request}.
 *
 * <p>Does not own: who may call what (the console's auth layer checks roles and passes usernames),
 * HTML, or any log logic (search, proofs, verification, export and erasure live in audit-log).
 * See {@code docs/audit-search.md}.
 */
package dev.airlock.server.auditing;
