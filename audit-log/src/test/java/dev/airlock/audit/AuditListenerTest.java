package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditListenerTest {
  @TempDir Path dir;

  record Recorded(AppendedEntry entry, Checkpoint checkpoint, Erasure erasure, long[] gap) {}

  static AuditListener recording(List<Recorded> out) {
    return new AuditListener() {
      @Override
      public void onAppended(AppendedEntry entry) {
        out.add(new Recorded(entry, null, null, null));
      }

      @Override
      public void onCheckpoint(Checkpoint checkpoint) {
        out.add(new Recorded(null, checkpoint, null, null));
      }

      @Override
      public void onErased(Erasure erasure) {
        out.add(new Recorded(null, null, erasure, null));
      }

      @Override
      public void onGap(long fromIndex, long toIndex) {
        out.add(new Recorded(null, null, null, new long[] {fromIndex, toIndex}));
      }
    };
  }

  static void await(List<Recorded> seen, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (seen.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  @Test
  void listenersReceiveDurableEntriesInOrderWithLeafAndPlaintextFields() throws Exception {
    List<Recorded> seen = Collections.synchronizedList(new ArrayList<>());
    try (AuditLog log = AuditLog.open(dir, AuditLogTest.KEYS, AuditLogTest.options().withCheckpointEntries(5))) {
      log.subscribe(recording(seen));
      for (int i = 0; i < 12; i++) {
        log.append(AuditLogTest.request("alice", "p" + i));
      }
      await(seen, 14);
      List<AppendedEntry> entries = seen.stream().filter(r -> r.entry() != null).map(Recorded::entry).toList();
      assertThat(entries).extracting(AppendedEntry::index).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
      assertThat(entries.get(3).leaf()).isEqualTo(log.leaf(3));
      assertThat(entries.get(3).summary().subject()).contains("alice");
      assertThat(entries.get(3).summary().actor()).isEqualTo(Actor.user("user-alice"));
      List<Long> cps = seen.stream().filter(r -> r.checkpoint() != null).map(r -> r.checkpoint().size()).toList();
      assertThat(cps).containsExactly(5L, 10L);
      // A checkpoint event comes after the entries it covers.
      int fifth = seen.indexOf(seen.stream().filter(r -> r.entry() != null && r.entry().index() == 4).findFirst().get());
      int firstCp = seen.indexOf(seen.stream().filter(r -> r.checkpoint() != null).findFirst().get());
      assertThat(firstCp).isGreaterThan(fifth);
    }
  }

  @Test
  void aStuckListenerNeverBlocksAppendsAndIsToldWhatItMissed() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<Recorded> seen = Collections.synchronizedList(new ArrayList<>());
    AuditListener stuck = new AuditListener() {
      @Override
      public void onAppended(AppendedEntry entry) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        seen.add(new Recorded(entry, null, null, null));
      }

      @Override
      public void onGap(long fromIndex, long toIndex) {
        seen.add(new Recorded(null, null, null, new long[] {fromIndex, toIndex}));
      }
    };
    AuditListener failing = entry -> {
      throw new IllegalStateException("listener bug");
    };
    try (AuditLog log = AuditLog.open(dir, AuditLogTest.KEYS, AuditLogTest.options().withListenerQueue(4))) {
      log.subscribe(stuck);
      log.subscribe(failing);
      for (int i = 0; i < 50; i++) {
        log.append(AuditLogTest.request("bob", "p" + i)); // would hang here if the listener blocked appends
      }
      assertThat(log.size()).isEqualTo(50);
      release.countDown();
      log.append(AuditLogTest.request("bob", "last"));
      await(seen, 6);
      Thread.sleep(200);
      List<long[]> gaps = seen.stream().filter(r -> r.gap() != null).map(Recorded::gap).toList();
      assertThat(gaps).isNotEmpty();
      long delivered = seen.stream().filter(r -> r.entry() != null).count();
      long missed = gaps.stream().mapToLong(g -> g[1] - g[0]).sum();
      assertThat(delivered + missed).isEqualTo(51);
    }
  }

  /**
   * A group commit's entries are handed over as one event; when the listener's queue has room for
   * only part of them, the part that fits is delivered and the rest reported as one gap, so every
   * index is delivered once or reported missed once, in order.
   */
  @Test
  void aCommitLargerThanTheRoomLeftIsSplitBetweenDeliveryAndAGap() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch holding = new CountDownLatch(1);
    List<Recorded> seen = Collections.synchronizedList(new ArrayList<>());
    AuditListener recorder = recording(seen);
    AuditListener stuckAtFirst = new AuditListener() {
      @Override
      public void onAppended(AppendedEntry entry) {
        if (entry.index() == 0) {
          holding.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        recorder.onAppended(entry);
      }

      @Override
      public void onGap(long fromIndex, long toIndex) {
        recorder.onGap(fromIndex, toIndex);
      }
    };
    ListenerDispatch d = new ListenerDispatch(stuckAtFirst, 5);
    try {
      d.appended(entries(0, 1));
      assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue(); // entry 0 taken off the queue, its listener held
      d.appended(entries(1, 4)); // 3 of 5 places
      d.appended(entries(4, 9)); // 2 places left: 4 and 5 queued, 6..8 missed
      d.appended(entries(9, 11)); // missed too: a gap is pending
      release.countDown();
      await(seen, 7);
      Thread.sleep(100);
    } finally {
      d.stop(1_000);
    }
    List<String> got = seen.stream()
        .map(r -> r.entry() != null ? Long.toString(r.entry().index()) : "gap " + r.gap()[0] + ".." + r.gap()[1])
        .toList();
    assertThat(got).containsExactly("0", "1", "2", "3", "4", "5", "gap 6..11");
  }

  private static List<AppendedEntry> entries(long from, long to) {
    List<AppendedEntry> out = new ArrayList<>();
    for (long i = from; i < to; i++) {
      out.add(new AppendedEntry(i, new byte[] {1}, null));
    }
    return out;
  }
}
