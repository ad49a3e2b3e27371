package dev.airlock.server.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A backend process and every process it started, stopped together. vLLM starts worker processes
 * of its own; killing only the one the supervisor started would leave them running as orphans
 * (children of init, no longer its descendants). So the tree's descendants are remembered
 * whenever they are looked at ({@link #refresh}), and stopping sends SIGTERM to all of them, then
 * SIGKILL to whatever is still alive after the grace period. A {@link ProcessHandle} remembers its
 * start time, so a remembered process id reused by an unrelated process is never signalled.
 */
final class ProcessTree {
  /** How often a stop checks whether the tree has gone. */
  private static final Duration EXIT_POLL = Duration.ofMillis(20);
  /** How long SIGKILL may take to end what SIGTERM did not (the kernel is quick; a busy machine less so). */
  static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final Process root;
  private final Set<ProcessHandle> known = ConcurrentHashMap.newKeySet();

  ProcessTree(Process root) {
    this.root = root;
  }

  Process process() {
    return root;
  }

  /** Remembers the descendants alive now, so they can still be found if their parent dies first. */
  void refresh() {
    root.descendants().forEach(known::add);
  }

  /** The root and every descendant seen so far that is still alive. */
  List<ProcessHandle> alive() {
    refresh();
    List<ProcessHandle> all = new ArrayList<>();
    if (root.isAlive()) all.add(root.toHandle());
    for (ProcessHandle h : known) {
      if (running(h)) all.add(h);
    }
    return all;
  }

  /**
   * Alive and not a zombie. A killed process whose parent died too belongs to init; where init
   * does not reap (some container and VM inits do not), it stays a zombie: gone in every way that
   * matters (no memory, no ports, no code running), though {@link ProcessHandle#isAlive} says alive.
   */
  static boolean running(ProcessHandle h) {
    if (!h.isAlive()) return false;
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
      int end = stat.lastIndexOf(')'); // the command name in parentheses may itself hold spaces or ')'
      return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
    } catch (IOException | RuntimeException noProcFs) {
      return h.isAlive(); // not Linux, or it just exited
    }
  }

  /**
   * SIGTERM to the whole tree, SIGKILL to what is left after {@code grace}; returns once every
   * process of the tree is gone (or after {@link #KILL_WAIT} more, if the kernel cannot end one).
   * Interrupted, it kills at once and keeps the interrupt.
   */
  void terminate(Duration grace) {
    List<ProcessHandle> tree = alive();
    if (tree.isEmpty()) return;
    tree.forEach(ProcessHandle::destroy);
    boolean interrupted = false;
    try {
      if (awaitGone(grace)) return;
    } catch (InterruptedException e) {
      interrupted = true;
    }
    alive().forEach(ProcessHandle::destroyForcibly);
    try {
      awaitGone(KILL_WAIT);
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private boolean awaitGone(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (alive().isEmpty()) return true;
      if (System.nanoTime() - deadline >= 0) return false;
      Thread.sleep(EXIT_POLL);
    }
  }
}
