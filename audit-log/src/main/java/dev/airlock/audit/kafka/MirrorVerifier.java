package dev.airlock.audit.kafka;

import dev.airlock.audit.LogVerifier;
import dev.airlock.audit.MerkleHash;
import dev.airlock.audit.VerificationReport;
import dev.airlock.audit.note.CheckpointBody;
import dev.airlock.audit.note.NoteFormatException;
import dev.airlock.audit.note.NoteVerifier;
import dev.airlock.audit.note.SignedNote;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Checks a mirror from the consumer side, with nothing but the two topics and the log's verifier
 * key. What is particular to the topics is checked here: 8-byte keys, a checkpoint's key equal to
 * its signed size, leaves in order with no gap, and a repeated index (a resend after a producer
 * restart) carrying the same bytes as its first copy, which is then skipped. Everything else is the
 * log's own {@link LogVerifier}, fed the checkpoints and the deduplicated leaves: every checkpoint's
 * signature, origin and order, every leaf's structure, and every checkpoint's root against the root
 * recomputed from the leaves. Stops at the first problem.
 */
public final class MirrorVerifier {
  /**
   * Recent leaf hashes kept to compare a resent leaf with its first copy; a resend reaches back at
   * most the mirror's unacknowledged leaves ({@link KafkaMirror#MAX_UNACKNOWLEDGED}).
   */
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

  /**
   * Verifies everything the topics hold at the moment of the call.
   *
   * @param progress told the number of leaves checked so far, now and then
   * @throws org.apache.kafka.common.KafkaException if the cluster cannot be read (nothing to judge)
   */
  public VerificationReport verify(LongConsumer progress) {
    try (KafkaConsumer<byte[], byte[]> consumer = TopicRecords.consumer(topics)) {
      // Checkpoints first: the mirror publishes a checkpoint only after its leaves, so every
      // checkpoint read here has its leaves on the leaf topic when that is read next.
      List<String> notes = new ArrayList<>();
      Optional<VerificationReport.Problem> topicProblem = Optional.empty();
      long lastSize = -1;
      String lastNote = null;
      for (ConsumerRecord<byte[], byte[]> r : TopicRecords.all(consumer, topics.checkpointTopic(), timeout)) {
        String note = new String(r.value(), StandardCharsets.UTF_8);
        long key;
        try {
          key = TopicRecords.number(r);
        } catch (MirrorFormatException e) {
          topicProblem = problem(Math.max(lastSize, 0), e.getMessage());
          break;
        }
        Optional<Long> signedSize = signedSize(note);
        if (signedSize.isPresent() && signedSize.get() != key) {
          topicProblem = problem(key, "checkpoint at offset " + r.offset() + " of topic '" + topics.checkpointTopic()
              + "' has key " + key + " but signs tree size " + signedSize.get());
          break;
        }
        if (key == lastSize && note.equals(lastNote)) {
          continue; // resent after a producer restart
        }
        notes.add(note);
        lastSize = key;
        lastNote = note;
      }

      try (LogVerifier log = new LogVerifier(verifier, notes, progress)) {
        if (log.problem().isPresent() || topicProblem.isPresent()) {
          return log.finish(topicProblem, List.of());
        }
        Leaves leaves = new Leaves(log);
        TopicRecords.forEach(consumer, topics.leafTopic(), timeout, leaves::accept);
        List<String> remarks = new ArrayList<>();
        if (leaves.resent > 0) {
          remarks.add(leaves.resent + " leaves were sent twice (after a producer restart) with identical bytes;"
              + " each was counted once");
        }
        for (int i = 0; leaves.problem.isEmpty() && i < log.checkpoints().size(); i++) {
          long covered = log.checkpoints().get(i).size();
          if (covered > leaves.expected) {
            leaves.problem = problem(leaves.expected, "checkpoint #" + (i + 1) + " covers " + covered
                + " leaves but topic '" + topics.leafTopic() + "' holds only " + leaves.expected + ": leaves "
                + leaves.expected + ".." + (covered - 1) + " are missing (deleted by retention, or the wrong topic)");
          }
        }
        return log.finish(leaves.problem, remarks);
      }
    }
  }

  /** The leaf topic's records, deduplicated by index, fed to the log verifier. */
  private final class Leaves {
    final LogVerifier log;
    final byte[][] recent = new byte[RESEND_WINDOW][];
    long expected;
    long resent;
    Optional<VerificationReport.Problem> problem = Optional.empty();

    Leaves(LogVerifier log) {
      this.log = log;
    }

    void accept(ConsumerRecord<byte[], byte[]> r) {
      if (problem.isPresent() || log.problem().isPresent()) {
        return;
      }
      String where = "offset " + r.offset() + " of topic '" + topics.leafTopic() + "'";
      long index;
      try {
        index = TopicRecords.number(r);
      } catch (MirrorFormatException e) {
        problem = problem(expected, e.getMessage());
        return;
      }
      byte[] hash = MerkleHash.leaf(r.value());
      if (index < expected) {
        byte[] original = expected - index <= RESEND_WINDOW ? recent[(int) (index % RESEND_WINDOW)] : null;
        if (original == null) {
          problem = problem(index, "leaf " + index + " appears again at " + where + " long after it was first seen"
              + " (the topic now stands at leaf " + expected + "); a mirror only resends its last unacknowledged leaves");
        } else if (!MessageDigest.isEqual(original, hash)) {
          problem = problem(index, "leaf " + index + " appears again at " + where
              + " with different bytes: the topic holds two versions of the same entry");
        } else {
          resent++;
        }
        return;
      }
      if (index > expected) {
        problem = problem(expected, "leaves " + expected + ".." + (index - 1) + " are missing: " + where
            + " holds leaf " + index + " right after leaf " + (expected - 1));
        return;
      }
      recent[(int) (index % RESEND_WINDOW)] = hash;
      log.entry(index, r.value());
      expected++;
    }
  }

  /** The tree size a checkpoint note signs, if it parses (the log verifier reports it if not). */
  private static Optional<Long> signedSize(String note) {
    try {
      return Optional.of(CheckpointBody.parse(SignedNote.parse(note).text()).size());
    } catch (NoteFormatException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<VerificationReport.Problem> problem(long index, String message) {
    return Optional.of(new VerificationReport.Problem(index, message));
  }
}
