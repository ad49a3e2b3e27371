package dev.airlock.audit;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Delivers events to one listener on its own thread through a bounded queue, so the writer never
 * waits for it. When the queue is full, appended-entry events are dropped and the listener is later
 * told the range it missed.
 */
final class ListenerDispatch {
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
  /** First index dropped since the last delivered gap notice, or -1. Writer thread only. */
  private long droppedFrom = -1;
  private long droppedTo = -1;

  ListenerDispatch(AuditListener listener, int capacity) {
    this.listener = listener;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = Thread.ofPlatform().daemon().name("audit-listener-" + listener.getClass().getSimpleName())
        .start(this::run);
  }

  void appended(AppendedEntry e) {
    if (droppedFrom >= 0) {
      if (queue.offer(new Gap(droppedFrom, droppedTo))) {
        droppedFrom = -1;
      } else {
        droppedTo = e.index() + 1;
        return;
      }
    }
    if (!queue.offer(new Appended(e))) {
      droppedFrom = e.index();
      droppedTo = e.index() + 1;
    }
  }

  void checkpointed(Checkpoint c) {
    if (droppedFrom < 0) {
      queue.offer(new Checkpointed(c));
    }
  }

  void erased(Erasure e) {
    // The erasure is also an appended audit.erasure entry, so a listener that misses this event
    // still learns of it from the entry (or from the gap notice covering it).
    if (!queue.offer(new Erased(e))) {
      LOG.log(System.Logger.Level.WARNING, "audit listener {0} is too far behind to take erasure event {1}",
          listener, e.index());
    }
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
        ev = queue.take();
      } catch (InterruptedException e) {
        return;
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
