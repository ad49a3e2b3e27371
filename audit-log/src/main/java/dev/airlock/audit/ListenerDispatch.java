package dev.airlock.audit;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers events to one listener on its own thread through a bounded queue, so the writer never
 * waits for it. When the queue is full, appended-entry events are dropped and the listener is later
 * told the range it missed. A group commit's entries travel as one event (one hand-over and at most
 * one wake-up per commit, not per entry); the bound counts entries.
 */
final class ListenerDispatch {
  /** How soon an idle delivery thread reports a dropped range. */
  private static final long GAP_CHECK_MILLIS = 50;

  private static final System.Logger LOG = System.getLogger(ListenerDispatch.class.getName());

  private sealed interface Event permits Appended, Checkpointed, Erased, Gap, Stop {}

  private record Appended(List<AppendedEntry> entries) implements Event {}

  private record Checkpointed(Checkpoint checkpoint) implements Event {}

  private record Erased(Erasure erasure) implements Event {}

  private record Gap(long from, long to) implements Event {}

  private record Stop() implements Event {}

  final AuditListener listener;
  private final int capacity;
  private final BlockingQueue<Event> queue;
  /** Entries in the queue's {@link Appended} events. */
  private final AtomicInteger queuedEntries = new AtomicInteger();
  private final Thread thread;
  // Dropped range not yet reported. While one is pending nothing else is queued, and the delivery
  // thread reports it once the queue has drained, so the listener sees it in order.
  private boolean gapPending;
  private long gapFrom;
  private long gapTo;

  ListenerDispatch(AuditListener listener, int capacity) {
    this.listener = listener;
    this.capacity = capacity;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = Thread.ofPlatform().daemon().name("audit-listener-" + listener.getClass().getSimpleName())
        .start(this::run);
  }

  /** One group commit's entries, in index order; the list is not changed afterwards. */
  synchronized void appended(List<AppendedEntry> batch) {
    if (batch.isEmpty()) {
      return;
    }
    long end = batch.get(batch.size() - 1).index() + 1;
    if (gapPending) {
      gapTo = end;
      return;
    }
    int taken = Math.min(batch.size(), Math.max(0, capacity - queuedEntries.get()));
    if (taken > 0 && queue.offer(new Appended(taken == batch.size() ? batch : batch.subList(0, taken)))) {
      queuedEntries.addAndGet(taken);
    } else {
      taken = 0;
    }
    if (taken < batch.size()) {
      gapPending = true;
      gapFrom = batch.get(taken).index();
      gapTo = end;
    }
  }

  synchronized void checkpointed(Checkpoint c) {
    if (!gapPending) {
      queue.offer(new Checkpointed(c));
    }
  }

  synchronized void erased(Erasure e) {
    // The erasure is also an appended audit.erasure entry, so a listener that misses this event
    // still learns of it from the entry (or from the gap notice covering it).
    if (gapPending || !queue.offer(new Erased(e))) {
      LOG.log(System.Logger.Level.WARNING, "audit listener {0} is too far behind to take erasure event {1}",
          listener, e.index());
    }
  }

  private synchronized Gap takeGap() {
    if (!gapPending || !queue.isEmpty()) {
      return null;
    }
    gapPending = false;
    return new Gap(gapFrom, gapTo);
  }

  void stop(long waitMillis) {
    queue.offer(new Stop());
    try {
      thread.join(waitMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
  }

  private void run() {
    while (true) {
      Event ev;
      try {
        ev = queue.poll(GAP_CHECK_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (ev == null) {
        ev = takeGap();
        if (ev == null) {
          continue;
        }
      }
      switch (ev) {
        case Appended a -> {
          queuedEntries.addAndGet(-a.entries().size());
          for (AppendedEntry e : a.entries()) {
            deliver(() -> listener.onAppended(e));
          }
        }
        case Checkpointed c -> deliver(() -> listener.onCheckpoint(c.checkpoint()));
        case Erased er -> deliver(() -> listener.onErased(er.erasure()));
        case Gap g -> deliver(() -> listener.onGap(g.from(), g.to()));
        case Stop s -> {
          return;
        }
      }
    }
  }

  /** A listener's exception is reported and the next event delivered. */
  private void deliver(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException ex) {
      LOG.log(System.Logger.Level.WARNING, "audit listener " + listener + " failed; the log carries on", ex);
    }
  }
}
