package dev.airlock.audit;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Delivers events to one listener on its own thread through a bounded queue, so the writer never
 * waits for it. When the queue is full, appended-entry events are dropped and the listener is later
 * told the range it missed.
 */
final class ListenerDispatch {
  /** How soon an idle delivery thread reports a dropped range. */
  private static final long GAP_CHECK_MILLIS = 50;

  private static final System.Logger LOG = System.getLogger(ListenerDispatch.class.getName());

  private sealed interface Event permits Appended, Checkpointed, Erased, Gap, Stop {}

  private record Appended(AppendedEntry entry) implements Event {}

  private record Checkpointed(Checkpoint checkpoint) implements Event {}

  private record Erased(Erasure erasure) implements Event {}

  private record Gap(long from, long to) implements Event {}

  private record Stop() implements Event {}

  final AuditListener listener;
  private final BlockingQueue<Event> queue;
  private final Thread thread;
  // Dropped range not yet reported. While one is pending nothing else is queued, and the delivery
  // thread reports it once the queue has drained, so the listener sees it in order.
  private boolean gapPending;
  private long gapFrom;
  private long gapTo;

  ListenerDispatch(AuditListener listener, int capacity) {
    this.listener = listener;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = Thread.ofPlatform().daemon().name("audit-listener-" + listener.getClass().getSimpleName())
        .start(this::run);
  }

  synchronized void appended(AppendedEntry e) {
    if (gapPending) {
      gapTo = e.index() + 1;
      return;
    }
    if (!queue.offer(new Appended(e))) {
      gapPending = true;
      gapFrom = e.index();
      gapTo = e.index() + 1;
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
      try {
        switch (ev) {
          case Appended a -> listener.onAppended(a.entry());
          case Checkpointed c -> listener.onCheckpoint(c.checkpoint());
          case Erased er -> listener.onErased(er.erasure());
          case Gap g -> listener.onGap(g.from(), g.to());
          case Stop s -> {
            return;
          }
        }
      } catch (RuntimeException ex) {
        LOG.log(System.Logger.Level.WARNING, "audit listener " + listener + " failed; the log carries on", ex);
      }
    }
  }
}
