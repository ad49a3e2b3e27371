package dev.airlock.audit;

/**
 * A record that is now durable in the log, as listeners see it.
 *
 * @param index the record's position in the log (0-based, the Merkle leaf index)
 * @param leaf the exact leaf bytes (what the tree hashes, what the Kafka mirror ships)
 * @param summary the record's plaintext fields, without the payload
 */
public record AppendedEntry(long index, byte[] leaf, RecordSummary summary) {}
