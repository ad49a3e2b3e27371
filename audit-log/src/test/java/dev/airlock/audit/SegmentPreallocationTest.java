package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.note.NoteVerifier;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The segment being written is zero-filled ahead of its end; the zeros are never part of the log. */
class SegmentPreallocationTest {
  @TempDir Path dir;

  static final AuditKeys KEYS = AuditLogTest.KEYS;

  Path lastSegment() throws IOException {
    return SegmentStore.list(dir.resolve(SegmentStore.DIRECTORY)).lastEntry().getValue();
  }

  /** Where the last frame of a segment ends, from its offset index and the frame there. */
  long endOfLastFrame(Path segment) throws IOException {
    Path index = segment.resolveSibling(segment.getFileName().toString().replace(".seg", ".idx"));
    try (FileChannel idx = FileChannel.open(index); FileChannel data = FileChannel.open(segment)) {
      ByteBuffer b = ByteBuffer.allocate(8);
      Frames.readFully(idx, b, idx.size() - 8);
      long offset = b.getLong(0);
      return offset + Frames.OVERHEAD + Frames.readAt(data, offset, data.size()).length;
    }
  }

  VerificationReport verify() throws Exception {
    return AuditLogReader.open(dir).verify(NoteVerifier.parse(KEYS.verifierKey()));
  }

  void writeLog(int n) {
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      for (int i = 0; i < n; i++) {
        log.append(AuditLogTest.request("s", "entry " + i));
      }
    }
  }

  void appendToLastSegment(byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(lastSegment(), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(bytes));
    }
  }

  @Test
  void theOpenSegmentHasZerosAfterItsLastFrameAndEndsThereOnceClosed() throws Exception {
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      for (int i = 0; i < 20; i++) {
        log.append(AuditLogTest.request("s", "entry " + i));
      }
      Path segment = lastSegment();
      long end = endOfLastFrame(segment);
      assertThat(Files.size(segment)).isEqualTo(SegmentStore.PREALLOCATE);
      try (FileChannel ch = FileChannel.open(segment)) {
        assertThat(Frames.allZero(ch, end, ch.size())).isTrue();
      }
      // A reader of the open log stops at the zeros without calling them an interrupted write.
      VerificationReport whileOpen = verify();
      assertThat(whileOpen.ok()).isTrue();
      assertThat(whileOpen.entries()).isEqualTo(20);
      assertThat(whileOpen.notes()).noneMatch(n -> n.contains("interrupted write"));
    }
    Path segment = lastSegment();
    assertThat(Files.size(segment)).isEqualTo(endOfLastFrame(segment));
    assertThat(verify().ok()).isTrue();
  }

  @Test
  void zerosLeftByACrashAreFreeSpaceNotATornTail() throws Exception {
    writeLog(25);
    Path segment = lastSegment();
    long end = Files.size(segment);
    appendToLastSegment(new byte[SegmentStore.PREALLOCATE - (int) end]);

    VerificationReport r = verify();
    assertThat(r.ok()).isTrue();
    assertThat(r.entries()).isEqualTo(25);
    assertThat(r.notes()).noneMatch(n -> n.contains("interrupted write"));
    try (SegmentStore store = SegmentStore.openForWriting(dir, AuditLogOptions.DEFAULT_SEGMENT_BYTES)) {
      assertThat(store.size()).isEqualTo(25);
      assertThat(store.recovery().tornBytesRemoved()).isZero();
    }
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      assertThat(log.size()).isEqualTo(25);
      assertThat(log.append(AuditLogTest.request("s", "after the crash"))).isEqualTo(25);
    }
    assertThat(verify().entries()).isEqualTo(26);
  }

  @Test
  void aTornFrameInsideTheZerosIsStillATornTail() throws Exception {
    writeLog(25);
    Path segment = lastSegment();
    long end = Files.size(segment);
    // A batch that was being written into preallocated space when the power went: a length and
    // part of a leaf, then the zeros that were there before.
    byte[] torn = new byte[4096];
    System.arraycopy(new byte[] {0, 0, 4, 0, 1, 2, 3, 4, 5, 6, 7}, 0, torn, 0, 11);
    appendToLastSegment(torn);

    VerificationReport r = verify();
    assertThat(r.ok()).isTrue();
    assertThat(r.notes()).anyMatch(n -> n.contains("an unfinished or interrupted write, never acknowledged"));
    try (SegmentStore store = SegmentStore.openForWriting(dir, AuditLogOptions.DEFAULT_SEGMENT_BYTES)) {
      assertThat(store.size()).isEqualTo(25);
      assertThat(store.recovery().tornBytesRemoved()).isEqualTo(4096);
    }
    assertThat(Files.size(segment)).isEqualTo(end);
  }

  @Test
  void aSealedSegmentEndsAtItsLastFrame() throws Exception {
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options().withSegmentBytes(64 * 1024))) {
      for (int i = 0; i < 400; i++) {
        log.append(AuditLogTest.request("s", "entry " + i + " " + "x".repeat(300)));
      }
      var segments = SegmentStore.list(dir.resolve(SegmentStore.DIRECTORY));
      assertThat(segments).hasSizeGreaterThan(1);
      for (Path sealed : segments.headMap(segments.lastKey()).values()) {
        assertThat(Files.size(sealed)).isEqualTo(endOfLastFrame(sealed));
      }
      // Never zero-filled past the segment size (the last batch may end beyond it).
      Path last = segments.lastEntry().getValue();
      assertThat(Files.size(last)).isLessThanOrEqualTo(Math.max(64 * 1024, endOfLastFrame(last)));
    }
  }

  @Test
  void aReaderBesideTheWriterNeverTakesAFrameBeingWrittenForDamage() throws Exception {
    // Batches of frames that straddle pages, written into the zeros while a reader walks the log
    // again and again: a frame caught half-copied must not be reported as a damaged entry.
    String prompt = "x".repeat(6_000);
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    try (AuditLog log = AuditLog.open(dir, KEYS, AuditLogTest.options())) {
      log.append(AuditLogTest.request("s", prompt));
      Thread writer = Thread.ofPlatform().start(() -> {
        while (!stop.get()) {
          java.util.List<java.util.concurrent.CompletableFuture<Long>> batch = new java.util.ArrayList<>();
          for (int i = 0; i < 16; i++) {
            batch.add(log.appendAsync(AuditLogTest.request("s", prompt + i)));
          }
          batch.forEach(java.util.concurrent.CompletableFuture::join);
        }
      });
      try {
        long reads = 0;
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < deadline) {
          long n = AuditLogReader.open(dir).entries(0, Long.MAX_VALUE, (index, leaf) -> { });
          assertThat(n).isPositive();
          reads++;
        }
        assertThat(reads).isGreaterThan(1);
      } finally {
        stop.set(true);
        writer.join();
      }
    }
  }
}
