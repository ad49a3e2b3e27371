/**
 * The audit log: an append-only, tamper-evident record of everything Airlock does.
 *
 * <p>Owns: the RFC 6962/9162 Merkle tree (leaves, interior nodes, inclusion and consistency
 * proofs), segment files and crash recovery, signed checkpoints (C2SP signed notes), payload
 * encryption with per-subject keys and crypto-shredding, the query index, the Kafka mirror and
 * the offline verifier.
 *
 * <p>Entry points: {@link dev.airlock.audit.AuditLog} (the one writer: append, proofs, checkpoints,
 * erasure, listeners), {@link dev.airlock.audit.AuditLogReader} (read-only: verify, export, prove;
 * no lock, safe beside a running writer), {@link dev.airlock.audit.LogVerifier} (the same checks
 * over leaves from any source), {@link dev.airlock.audit.AuditRecord} and
 * {@link dev.airlock.audit.AuditLeaf} (the record and its leaf encoding),
 * {@link dev.airlock.audit.AuditListener} (for the query index and the Kafka mirror). Formats:
 * {@code docs/audit-log-format.md}. Subpackages: {@code proof} (RFC 9162 proofs and verifiers) and
 * {@code note} (C2SP signed notes, checkpoints, tlog-proofs).
 *
 * <p>Does not own: what a record means. Callers hand it a record type, index fields and payload
 * bytes; the gateway and the console decide what to write and who may read it.
 */
package dev.airlock.audit;
