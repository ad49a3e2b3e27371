/**
 * The audit log: an append-only, tamper-evident record of everything Airlock does.
 *
 * <p>Owns: the RFC 6962/9162 Merkle tree (leaves, interior nodes, inclusion and consistency
 * proofs), segment files and crash recovery, signed checkpoints (C2SP signed notes), payload
 * encryption with per-subject keys and crypto-shredding, the query index, the Kafka mirror and
 * the offline verifier.
 *
 * <p>Does not own: what a record means. Callers hand it a record type, index fields and payload
 * bytes; the gateway and the console decide what to write and who may read it.
 */
package dev.airlock.audit;
