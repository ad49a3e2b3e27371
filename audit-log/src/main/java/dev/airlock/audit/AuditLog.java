package dev.airlock.audit;

import dev.airlock.audit.proof.ConsistencyProof;
import dev.airlock.audit.proof.InclusionProof;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The tamper-evident audit log of one appliance: an append-only RFC 9162 Merkle tree over
 * {@link AuditLeaf} entries, stored in segment files, with signed checkpoints.
 *
 * <pre>{@code
 * try (AuditLog log = AuditLog.open(AuditLog.directoryIn(dataDir), keys, AuditLogOptions.defaults())) {
 *   long index = log.append(AuditRecord.builder("inference.request")
 *       .actor(Actor.app("crm")).subject("alice").model("llama-3-8b").requestId("r-1")
 *       .payload(promptJson).build());          // durable when this returns
 *   InclusionProof proof = log.proveInclusion(index, log.latestCheckpoint().orElseThrow().size());
 * }
 * }</pre>
 *
 * <p>Promises: {@link #append} returns only once the entry is fsync'd (concurrent appends share
 * fsyncs); after a crash at any point, {@link #open} truncates a torn tail and rebuilds the tree,
 * and no acknowledged entry is lost; proofs cost O(log n) stored hashes; {@link #erase} makes a
 * subject's payloads unreadable without changing any leaf, root or proof. Thread-safe.
 *
 * <p>Only one process may open a log for writing; readers ({@code airlock audit verify/export/prove})
 * use {@link AuditLogReader}, which takes no lock and never writes.
 */
public final class AuditLog implements AutoCloseable {
  /** The log's subdirectory inside the appliance data directory. */
  public static final String DIRECTORY = "audit";

  private AuditLog() {}

  /** Where the log lives inside an appliance data directory: {@code <dataDir>/audit}. */
  public static Path directoryIn(Path dataDir) {
    return dataDir.resolve(DIRECTORY);
  }

  /**
   * Opens (creating if needed) the log in {@code directory}, recovering from any crash.
   *
   * @throws AuditLogException if the files are damaged beyond a torn tail (a missing segment, a
   *     bad entry before the end); the message names the file and index, and nothing is changed
   */
  public static AuditLog open(Path directory, AuditKeys keys, AuditLogOptions options) {
    throw new UnsupportedOperationException("not built yet");
  }

  /**
   * Encrypts the record's personal fields and payload, appends the leaf and returns its index once
   * it is durable on disk.
   *
   * @throws AuditLogException when the entry could not be made durable (disk full, I/O error, log
   *     closed): the entry is then not in the log and callers must fail closed
   */
  public long append(AuditRecord record) {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Number of durable entries. */
  public long size() {
    throw new UnsupportedOperationException("not built yet");
  }

  /** The exact leaf bytes at {@code index} (checked against their checksum). */
  public byte[] leaf(long index) {
    throw new UnsupportedOperationException("not built yet");
  }

  /**
   * The record at {@code index} with its personal fields and payload decrypted, or empty when its
   * data key was destroyed (erasure or retention).
   */
  public Optional<AuditRecord> decrypt(long index) {
    throw new UnsupportedOperationException("not built yet");
  }

  /** The newest signed checkpoint, if any was written yet. */
  public Optional<Checkpoint> latestCheckpoint() {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Every checkpoint ever written, oldest first. */
  public List<Checkpoint> checkpoints() {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Signs a checkpoint of the current tree now (if the tree grew since the last one) and returns the latest. */
  public Checkpoint checkpoint() {
    throw new UnsupportedOperationException("not built yet");
  }

  /** The RFC 9162 root of the first {@code treeSize} entries. */
  public byte[] rootHash(long treeSize) {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Inclusion proof of entry {@code index} in the tree of {@code treeSize} entries. */
  public InclusionProof proveInclusion(long index, long treeSize) {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Consistency proof between the trees of {@code size1} and {@code size2} entries. */
  public ConsistencyProof proveConsistency(long size1, long size2) {
    throw new UnsupportedOperationException("not built yet");
  }

  /**
   * Destroys every data key of {@code subject}, then appends an {@code audit.erasure} record (which
   * names the subject only by its tag). The subject's payloads, user ids and subject fields become
   * unreadable; every leaf, root and proof stays valid.
   */
  public Erasure erase(String subject) {
    throw new UnsupportedOperationException("not built yet");
  }

  /**
   * Destroys the data keys of records past their type's retention period
   * ({@link AuditLogOptions#retention()}) and, if any were destroyed, appends an
   * {@code audit.retention} record.
   */
  public Optional<Erasure> enforceRetention() {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Registers a listener for entries appended from now on; see {@link AuditListener} for the contract. */
  public void subscribe(AuditListener listener) {
    throw new UnsupportedOperationException("not built yet");
  }

  public void unsubscribe(AuditListener listener) {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Writes a final checkpoint, drains listeners briefly and closes the files. */
  @Override
  public void close() {
    throw new UnsupportedOperationException("not built yet");
  }
}
