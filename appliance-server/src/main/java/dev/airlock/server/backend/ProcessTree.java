package dev.airlock.server.backend;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend process and every process it started, stopped together. vLLM starts worker processes
 * of its own; killing only the one the supervisor started would leave them running as orphans
 * (children of init, no longer its descendants). So the tree's descendants are remembered
 * whenever they are looked at ({@link #refresh}), and stopping sends SIGTERM to all of them, then
 * SIGKILL to whatever is still alive after the grace period. A {@link ProcessHandle} remembers its
 * start time, so a remembered process id reused by an unrelated process is never signalled.
 *
 * <p>A server killed outright (SIGKILL, the OOM killer) runs no exit hook, and its backends keep
 * running, holding their GPU memory and ports. So a tree given a record file writes its processes
 * there (id and start time, whenever it learns of a new one), and the server's own, and deletes it
 * once they are gone; the next server stops whatever a record left by a server no longer running
 * names before it starts anything ({@link #stopRecorded}).
 */
final class ProcessTree {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessTree.class);
  /** The record files' suffix. */
  static final String RECORD_SUFFIX = ".pids";
  /** Starts the line of a record that names the server that wrote it. */
  private static final String SERVER = "server";

  /** How often a stop checks whether the tree has gone. */
  private static final Duration EXIT_POLL = Duration.ofMillis(20);
  /** How long SIGKILL may take to end what SIGTERM did not (the kernel is quick; a busy machine less so). */
  static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final Process root;
  private final Set<ProcessHandle> known = ConcurrentHashMap.newKeySet();
  private final Path record;
  /** Processes the record was last written with (or tried: a failed write is retried when that changes). */
  private int recorded;

  ProcessTree(Process root) {
    this(root, null);
  }

  /** A tree that keeps {@code record} (when not null) naming its processes while any runs. */
  ProcessTree(Process root, Path record) {
    this.root = root;
    this.record = record;
    writeRecord();
  }

  Process process() {
    return root;
  }

  /** Remembers the descendants alive now, so they can still be found if their parent dies first. */
  void refresh() {
    root.descendants().forEach(known::add);
    if (record != null && known.size() + 1 != recorded) writeRecord();
  }

  /**
   * {@code server <pid> <start time in epoch ms>} for the server, then one {@code <pid> <start>}
   * line per process of the tree; replaced whole, never half written.
   */
  private synchronized void writeRecord() {
    if (record == null) return;
    List<ProcessHandle> all = new ArrayList<>();
    all.add(root.toHandle());
    all.addAll(known);
    StringBuilder lines = new StringBuilder(SERVER).append(' ').append(line(ProcessHandle.current()));
    for (ProcessHandle h : all) lines.append(line(h));
    recorded = all.size();
    try {
      Files.createDirectories(record.getParent());
      Path tmp = record.resolveSibling(record.getFileName() + ".tmp");
      Files.writeString(tmp, lines);
      Files.move(tmp, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("backend processes not recorded (a server killed outright could not stop them when it restarts):"
          + " file={} error={}", record, e.getMessage());
    }
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
    if (stop(this::alive, grace) && record != null) {
      try {
        Files.deleteIfExists(record);
      } catch (IOException e) {
        LOG.warn("backend process record not deleted: file={} error={}", record, e.getMessage());
      }
    }
  }

  private static String line(ProcessHandle h) {
    return h.pid() + " " + h.info().startInstant().map(Instant::toEpochMilli).orElse(0L) + "\n";
  }

  /** The process a record names by id and start time, if it still runs (an id since reused is not it). */
  private static Optional<ProcessHandle> named(String pid, String startMillis) {
    try {
      long start = Long.parseLong(startMillis);
      return ProcessHandle.of(Long.parseLong(pid))
          .filter(h -> h.info().startInstant().map(i -> i.toEpochMilli() == start).orElse(false))
          .filter(ProcessTree::running);
    } catch (NumberFormatException e) {
      return Optional.empty(); // not a line this class wrote
    }
  }

  /**
   * Stops the processes that the record files in {@code dir} name and that still run, as {@link
   * #terminate} does, and deletes the records, except those of a server that still runs (this one,
   * or the server another command was started beside on the same data directory: its backends are
   * not leftovers).
   * Returns the processes it found running.
   */
  static List<ProcessHandle> stopRecorded(Path dir, Duration grace) throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    List<Path> records = new ArrayList<>();
    Set<ProcessHandle> left = new LinkedHashSet<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + RECORD_SUFFIX)) {
      for (Path f : files) {
        List<String[]> lines = Files.readAllLines(f).stream().map(l -> l.trim().split(" ")).toList();
        Optional<ProcessHandle> server = lines.stream().filter(l -> l.length == 3 && l[0].equals(SERVER))
            .findFirst().flatMap(l -> named(l[1], l[2]));
        if (server.isPresent()) continue;
        records.add(f);
        lines.stream().filter(l -> l.length == 2).map(l -> named(l[0], l[1])).flatMap(Optional::stream).forEach(left::add);
      }
    }
    List<ProcessHandle> found = List.copyOf(left); // each named process was running when read
    if (stop(() -> found.stream().filter(ProcessTree::running).toList(), grace)) {
      for (Path f : records) Files.deleteIfExists(f);
    }
    return found;
  }

  /**
   * SIGTERM to every process {@code alive} lists, SIGKILL to those it still lists after {@code
   * grace}; true once it lists none (false after {@link #KILL_WAIT} more). Interrupted, it kills at
   * once and keeps the interrupt.
   */
  private static boolean stop(Supplier<List<ProcessHandle>> alive, Duration grace) {
    List<ProcessHandle> tree = alive.get();
    if (tree.isEmpty()) return true;
    tree.forEach(ProcessHandle::destroy);
    boolean interrupted = false;
    try {
      if (awaitGone(alive, grace)) return true;
    } catch (InterruptedException e) {
      interrupted = true;
    }
    alive.get().forEach(ProcessHandle::destroyForcibly);
    try {
      return awaitGone(alive, KILL_WAIT);
    } catch (InterruptedException e) {
      interrupted = true;
      return false;
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private static boolean awaitGone(Supplier<List<ProcessHandle>> alive, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (alive.get().isEmpty()) return true;
      if (System.nanoTime() - deadline >= 0) return false;
      Thread.sleep(EXIT_POLL);
    }
  }
}
