package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.note.CheckpointBody;
import dev.airlock.audit.note.NoteSigner;
import dev.airlock.audit.note.NoteVerifier;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged files: each is found, named with its index, and never silently accepted. */
class LogFaultsTest {
  @TempDir Path dir;

  static final AuditKeys KEYS = AuditLogTest.KEYS;

  /** Writes n entries in segments of about 4 KiB (several entries each), checkpoints every 10. */
  void writeLog(int n) {
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options().withSegmentBytes(4096).withCheckpointEntries(10))) {
      for (int i = 0; i < n; i++) {
        log.append(AuditLogTest.request("s" + (i % 3), "entry " + i + " " + "x".repeat(300)));
      }
    }
  }

  VerificationReport verify() throws Exception {
    return AuditLogReader.open(dir).verify(NoteVerifier.parse(KEYS.verifierKey()));
  }

  TreeMap<Long, Path> segments() throws IOException {
    return SegmentStore.list(dir.resolve("segments"));
  }

  /** File offset of entry {@code index} inside its segment, from the segment's offset index. */
  long offsetOf(long first, long index) throws IOException {
    try (FileChannel ch = FileChannel.open(SegmentStore.fileName(dir.resolve("segments"), first, ".idx"))) {
      ByteBuffer b = ByteBuffer.allocate(8);
      ch.read(b, (index - first) * 8);
      return b.getLong(0);
    }
  }

  static void flipBit(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x10);
    }
  }

  @Test
  void tornTailIsTruncatedOnOpenAndTheLogCarriesOn() throws Exception {
    writeLog(25);
    Path last = segments().lastEntry().getValue();
    long sizeBefore = Files.size(last);
    // A batch that was being written when the power went: a length and part of a leaf.
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(new byte[] {0, 0, 4, 0, 1, 2, 3, 4, 5, 6, 7}));
    }
    VerificationReport whileTorn = verify();
    assertThat(whileTorn.ok()).isTrue();
    assertThat(whileTorn.notes()).anyMatch(n -> n.contains("an unfinished or interrupted write, never acknowledged"));
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      assertThat(log.size()).isEqualTo(25);
      assertThat(Files.size(last)).isEqualTo(sizeBefore);
      assertThat(log.append(AuditLogTest.request("s", "after the crash"))).isEqualTo(25);
    }
    assertThat(verify().ok()).isTrue();
  }

  @Test
  void flippedBitInASegmentIsReportedWithItsIndex() throws Exception {
    writeLog(40);
    var first = segments().firstEntry();
    long target = first.getKey() + 2;
    flipBit(first.getValue(), offsetOf(first.getKey(), target) + 40);

    VerificationReport r = verify();

    assertThat(r.ok()).isFalse();
    assertThat(r.problem().get().index()).isEqualTo(target);
    assertThat(r.problem().get().message()).contains("is damaged at this entry", "checksum mismatch");
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      assertThatThrownBy(() -> log.leaf(target))
          .isInstanceOf(AuditLogException.class)
          .hasMessageContaining("entry " + target + " in segment")
          .hasMessageContaining("fails its checksum");
    }
  }

  @Test
  void flippedBitInsideTheLastSegmentIsNotMistakenForATornTail() throws Exception {
    writeLog(40);
    var last = segments().lastEntry();
    long count = 40 - last.getKey();
    assertThat(count).isGreaterThan(1);
    flipBit(last.getValue(), offsetOf(last.getKey(), last.getKey()) + 30);
    long before = Files.size(last.getValue());

    assertThatThrownBy(() -> AuditLog.open(dir, KEYS, AuditLogTest.options()))
        .isInstanceOf(AuditLogException.class)
        .hasMessageContaining("is damaged at entry " + last.getKey())
        .hasMessageContaining("valid entries follow it");
    assertThat(Files.size(last.getValue())).isEqualTo(before); // nothing was truncated
    assertThat(verify().problem().get().index()).isEqualTo(last.getKey());
  }

  @Test
  void deletedSegmentIsReportedWithTheMissingIndexes() throws Exception {
    writeLog(40);
    List<Long> firsts = List.copyOf(segments().keySet());
    assertThat(firsts.size()).isGreaterThanOrEqualTo(3);
    long gone = firsts.get(1);
    long next = firsts.get(2);
    Files.delete(segments().get(gone));

    VerificationReport r = verify();
    assertThat(r.problem().get().index()).isEqualTo(gone);
    assertThat(r.problem().get().message()).contains("entries " + gone + ".." + (next - 1) + " are missing");
    assertThatThrownBy(() -> AuditLog.open(dir, KEYS, AuditLogTest.options()))
        .isInstanceOf(AuditLogException.class)
        .hasMessageContaining("entries " + gone + ".." + (next - 1) + " are lost");
  }

  @Test
  void truncatedSegmentLosingAcknowledgedEntriesIsRefused() throws Exception {
    writeLog(40);
    var last = segments().lastEntry();
    long cut = last.getKey(); // leave the last segment empty: its entries are covered by checkpoint 40
    try (FileChannel ch = FileChannel.open(last.getValue(), StandardOpenOption.WRITE)) {
      ch.truncate(offsetOf(last.getKey(), cut));
    }

    VerificationReport r = verify();
    assertThat(r.problem().get().message()).contains("covers 40 entries but the log holds only " + cut);
    assertThat(r.problem().get().index()).isEqualTo(cut);
    assertThatThrownBy(() -> AuditLog.open(dir, KEYS, AuditLogTest.options()))
        .isInstanceOf(AuditLogException.class)
        .hasMessageContaining("the latest signed checkpoint covers 40 entries")
        .hasMessageContaining("hold only " + cut);
  }

  @Test
  void flippedBitInTheLastSegmentWithEntriesAfterItIsDamageNotATail() throws Exception {
    writeLog(40);
    var last = segments().lastEntry();
    long target = last.getKey() + 1; // entries follow it in the same segment
    assertThat(target).isLessThan(39);
    flipBit(last.getValue(), offsetOf(last.getKey(), target) + 40);

    VerificationReport r = verify();

    assertThat(r.ok()).isFalse();
    assertThat(r.problem().get().index()).isEqualTo(target);
    assertThat(r.problem().get().message()).contains("is damaged at this entry", "checksum mismatch");
  }

  @Test
  void truncatedSealedSegmentIsReported() throws Exception {
    writeLog(40);
    var first = segments().firstEntry();
    long second = segments().higherKey(first.getKey());
    try (FileChannel ch = FileChannel.open(first.getValue(), StandardOpenOption.WRITE)) {
      ch.truncate(offsetOf(first.getKey(), second - 1) + 10);
    }
    VerificationReport r = verify();
    assertThat(r.problem().get().index()).isEqualTo(second - 1);
    assertThat(r.problem().get().message()).contains("is damaged at this entry");
  }

  @Test
  void checkpointSignedByAnotherKeyIsReported() throws Exception {
    writeLog(12);
    NoteSigner impostor = new NoteSigner(KEYS.origin(), NoteSigner.newSeed());
    byte[] root;
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      root = log.rootHash(12);
    }
    String forged = impostor.sign(new CheckpointBody(KEYS.origin(), 12, root).format()).format();
    try (FileChannel ch = FileChannel.open(dir.resolve("checkpoints/checkpoints.notes"), StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(Frames.frame(forged.getBytes(StandardCharsets.UTF_8))));
    }

    VerificationReport r = verify();

    assertThat(r.problem().get().index()).isEqualTo(12);
    assertThat(r.problem().get().message())
        .contains("checkpoint #3 (tree size 12) is not signed by the verifier key airlock.test/audit")
        .contains("no signature by key");
    assertThatThrownBy(() -> AuditLog.open(dir, KEYS, AuditLogTest.options()))
        .isInstanceOf(AuditLogException.class)
        .hasMessageContaining("the latest checkpoint in " + dir + " is not signed by this log's key");
  }

  @Test
  void alteredLeafWithValidChecksumBreaksTheSignedRoot() throws Exception {
    writeLog(20);
    // Rewrite entry 4 with a valid frame checksum: only the Merkle root can catch this.
    var first = segments().firstEntry();
    long off = offsetOf(first.getKey(), 4);
    try (FileChannel ch = FileChannel.open(first.getValue(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      byte[] leaf = Frames.readAt(ch, off, ch.size());
      byte[] forged = new String(leaf, StandardCharsets.ISO_8859_1).replace("llama-3-8b", "llama-3-9b")
          .getBytes(StandardCharsets.ISO_8859_1);
      ch.write(ByteBuffer.wrap(Frames.frame(forged)), off);
    }
    VerificationReport r = verify();
    assertThat(r.problem().get().message()).contains("checkpoint #1 (tree size 10) signs root")
        .contains("an entry before this size was altered");
    // Opening trusts the checkpointed tree (it does not re-read old segments; verify does), but the
    // seal binds the plaintext fields, so reading the altered record fails loudly.
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      assertThatThrownBy(() -> log.decrypt(4))
          .isInstanceOf(AuditLogException.class)
          .hasMessageContaining("does not decrypt: the leaf or its data key was altered");
    }
  }

  @Test
  void lostTreeFilesAreRebuiltFromTheSegments() throws Exception {
    writeLog(40);
    byte[] root;
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      root = log.rootHash(40);
    }
    Files.delete(dir.resolve("tree/level-00.hashes"));
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      assertThat(log.rootHash(40)).isEqualTo(root);
      for (long i = 0; i < 40; i++) {
        log.proveInclusion(i, 40).verify(MerkleHash.leaf(log.leaf(i)), root);
      }
    }
    assertThat(verify().ok()).isTrue();
  }

  @Test
  void refusesToOpenADirectoryWithoutALogForReading() {
    assertThatThrownBy(() -> AuditLogReader.open(dir.resolve("nothing")))
        .isInstanceOf(AuditLogException.class)
        .hasMessageContaining("no audit log in")
        .hasMessageContaining("expected a 'segments' directory");
  }
}
