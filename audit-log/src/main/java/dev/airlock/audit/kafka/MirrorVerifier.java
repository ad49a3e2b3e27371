package dev.airlock.audit.kafka;

import dev.airlock.audit.AuditLeaf;
import dev.airlock.audit.AuditLogException;
import dev.airlock.audit.CompactRange;
import dev.airlock.audit.MerkleHash;
import dev.airlock.audit.VerificationReport;
import dev.airlock.audit.note.CheckpointBody;
import dev.airlock.audit.note.NoteFormatException;
import dev.airlock.audit.note.NoteVerificationException;
import dev.airlock.audit.note.NoteVerifier;
import dev.airlock.audit.note.SignedNote;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Checks a mirror from the consumer side, with nothing but the two topics and the log's verifier
 * key: reads every leaf in topic order (a repeated index is a resend after a producer restart; it
 * is skipped once it is shown to carry the same bytes), rebuilds the RFC 9162 tree, and checks every
 * checkpoint's signature and that its root is the root of the first {@code size} leaves. Roots
 * recomputed from one leaf sequence are consistent by construction, so consecutive checkpoints are
 * consistent once each root matches. Stops at the first problem.
 */
public final class MirrorVerifier {
  /** Recent leaf hashes kept to compare a resent leaf with the original (resends come from the last few batches). */
  static final int RESEND_WINDOW = 1 << 16;

  /** How long the topics may stay silent before the read counts as failed. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final MirrorTopics topics;
  private final NoteVerifier verifier;
  private final Duration timeout;

  public MirrorVerifier(MirrorTopics topics, NoteVerifier verifier, Duration timeout) {
    this.topics = topics;
    this.verifier = verifier;
    this.timeout = timeout;
  }

  private record Cp(long size, byte[] root, long offset) {}

  /**
   * Verifies everything the topics hold at the moment of the call.
   *
   * @param progress told the number of leaves checked so far, now and then
   * @throws org.apache.kafka.common.KafkaException if the cluster cannot be read (nothing to judge)
   */
  public VerificationReport verify(LongConsumer progress) {
    List<String> notes = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = TopicRecords.consumer(topics)) {
      // Checkpoints first: the mirror publishes a checkpoint only after its leaves, so every
      // checkpoint read here has its leaves on the leaf topic when that is read next.
      List<Cp> cps = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : TopicRecords.all(consumer, topics.checkpointTopic(), timeout)) {
        long key;
        try {
          key = TopicRecords.number(r);
        } catch (MirrorFormatException e) {
          return fail(cps.isEmpty() ? 0 : cps.get(cps.size() - 1).size(), cps.size(), notes, e.getMessage());
        }
        String where = "checkpoint at offset " + r.offset() + " of topic '" + topics.checkpointTopic() + "' (key " + key + ")";
        CheckpointBody body;
        try {
          SignedNote note = verifier.verify(new String(r.value(), StandardCharsets.UTF_8));
          body = CheckpointBody.parse(note.text());
        } catch (NoteFormatException | NoteVerificationException e) {
          return fail(key, cps.size(), notes, where + " is not signed by the verifier key " + verifier.name() + ": " + e.getMessage());
        }
        if (!body.origin().equals(verifier.name())) {
          return fail(key, cps.size(), notes,
              where + " names origin '" + body.origin() + "' but the verifier key is for '" + verifier.name() + "'");
        }
        if (body.size() != key) {
          return fail(key, cps.size(), notes, where + " signs tree size " + body.size() + ", not the size its key says");
        }
        Cp previous = cps.isEmpty() ? null : cps.get(cps.size() - 1);
        if (previous != null && body.size() < previous.size()) {
          return fail(key, cps.size(), notes, where + " is smaller than the checkpoint before it (" + previous.size()
              + "): a log never shrinks");
        }
        if (previous != null && body.size() == previous.size()) {
          if (!MessageDigest.isEqual(previous.root(), body.rootHash())) {
            return fail(key, cps.size(), notes, where + " signs a different root than the checkpoint of the same size at"
                + " offset " + previous.offset() + ": the log forked");
          }
          continue;
        }
        cps.add(new Cp(body.size(), body.rootHash(), r.offset()));
      }

      CompactRange range = new CompactRange();
      byte[][] recent = new byte[RESEND_WINDOW][];
      int[] next = {0};
      long[] resent = {0};
      VerificationReport[] failed = {null};
      while (next[0] < cps.size() && cps.get(next[0]).size() == 0) {
        if (!MessageDigest.isEqual(cps.get(next[0]).root(), MerkleHash.emptyRoot())) {
          return fail(0, next[0], notes, "checkpoint #1 (tree size 0) has a root that is not the empty tree's");
        }
        next[0]++;
      }
      TopicRecords.forEach(consumer, topics.leafTopic(), timeout, r -> {
        if (failed[0] != null) {
          return;
        }
        long expected = range.size();
        long index;
        try {
          index = TopicRecords.number(r);
        } catch (MirrorFormatException e) {
          failed[0] = fail(expected, next[0], notes, e.getMessage());
          return;
        }
        String where = "offset " + r.offset() + " of topic '" + topics.leafTopic() + "'";
        byte[] hash = MerkleHash.leaf(r.value());
        if (index < expected) {
          byte[] original = expected - index <= RESEND_WINDOW ? recent[(int) (index % RESEND_WINDOW)] : null;
          if (original == null) {
            failed[0] = fail(index, next[0], notes, "leaf " + index + " appears again at " + where + " long after it was"
                + " first seen (the topic now stands at leaf " + expected + "); a mirror only resends its last few batches");
          } else if (!MessageDigest.isEqual(original, hash)) {
            failed[0] = fail(index, next[0], notes, "leaf " + index + " appears again at " + where
                + " with different bytes: the topic holds two versions of the same entry");
          } else {
            resent[0]++;
          }
          return;
        }
        if (index > expected) {
          failed[0] = fail(expected, next[0], notes, "leaves " + expected + ".." + (index - 1) + " are missing: " + where
              + " holds leaf " + index + " right after leaf " + (expected - 1));
          return;
        }
        try {
          AuditLeaf.decode(r.value());
        } catch (AuditLogException e) {
          failed[0] = fail(index, next[0], notes, "leaf " + index + " at " + where + " is not a valid Airlock leaf: "
              + e.getMessage());
          return;
        }
        range.append(hash);
        recent[(int) (index % RESEND_WINDOW)] = hash;
        while (next[0] < cps.size() && cps.get(next[0]).size() == range.size()) {
          Cp c = cps.get(next[0]);
          if (!MessageDigest.isEqual(range.root(), c.root())) {
            failed[0] = fail(c.size() - 1, next[0], notes, "checkpoint #" + (next[0] + 1) + " (tree size " + c.size()
                + ") signs root " + Base64.getEncoder().encodeToString(c.root()) + " but the leaves on the topic hash to "
                + Base64.getEncoder().encodeToString(range.root())
                + ": a leaf before this size was altered, added or removed");
            return;
          }
          next[0]++;
        }
        if (range.size() % 100_000 == 0) {
          progress.accept(range.size());
        }
      });
      progress.accept(range.size());
      if (failed[0] != null) {
        return failed[0];
      }
      if (next[0] < cps.size()) {
        Cp c = cps.get(next[0]);
        return fail(range.size(), next[0], notes, "checkpoint #" + (next[0] + 1) + " covers " + c.size()
            + " leaves but topic '" + topics.leafTopic() + "' holds only " + range.size() + ": leaves " + range.size()
            + ".." + (c.size() - 1) + " are missing (deleted by retention, or the wrong topic)");
      }
      if (resent[0] > 0) {
        notes.add(resent[0] + " leaves were sent twice (after a producer restart) with identical bytes; each was counted once");
      }
      if (cps.isEmpty()) {
        notes.add("the mirror holds no checkpoint yet: leaves were checked for integrity but nothing vouches for them");
      } else if (cps.get(cps.size() - 1).size() < range.size()) {
        notes.add("leaves " + cps.get(cps.size() - 1).size() + ".." + (range.size() - 1)
            + " are not yet covered by a checkpoint (the next one will cover them)");
      }
      return new VerificationReport(range.size(), cps.size(), Optional.empty(), notes);
    }
  }

  private static VerificationReport fail(long index, int checkpoints, List<String> notes, String message) {
    return new VerificationReport(index, checkpoints, Optional.of(new VerificationReport.Problem(index, message)), notes);
  }
}
