/**
 * The Kafka mirror of the audit log, and the verifier that checks a mirror from the consumer side.
 *
 * <p>{@link dev.airlock.audit.kafka.KafkaMirror} copies every leaf, in index order, to a leaf topic
 * (key: the leaf index, value: the leaf bytes) and every signed checkpoint to a checkpoint topic.
 * The local log stays the source of truth: the mirror reads from it on its own thread, so appends
 * never wait for Kafka, and after a restart or an outage it resumes from the last index the topic
 * holds. {@link dev.airlock.audit.kafka.MirrorVerifier} rebuilds the Merkle tree from the two topics
 * and checks every checkpoint's signature and root.
 */
package dev.airlock.audit.kafka;
