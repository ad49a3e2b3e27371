package dev.airlock.audit.index;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Moves the calling thread to Linux's idle scheduling class ({@code SCHED_IDLE}), at nice 19. The
 * search index is derived data, rebuilt from the log at any time, while the request path waits on
 * every audit append: when the machine's cores are all busy, the kernel should run requests first
 * and let the index fall behind, to catch up as soon as there is idle time.
 *
 * <p>Nice 19 alone was not enough: a thread at nice 19 still took a fifth of a 2-core machine under
 * saturation, since the request path's threads sleep and wake thousands of times a second and the
 * kernel lets a runnable low-priority thread fill each gap; a waking request thread always preempts
 * a {@code SCHED_IDLE} one. Linux lets a thread lower its own priority and enter that class without
 * any privilege; the JDK has no call for either, so util-linux's {@code renice} and {@code chrt} do
 * it, on this thread's id read from {@code /proc/thread-self}. Best effort: nice 19 where
 * {@code chrt} is missing, elsewhere nothing changes.
 */
final class BackgroundPriority {
  private static final System.Logger LOG = System.getLogger(BackgroundPriority.class.getName());
  static final int NICE = 19;
  /** {@code SCHED_IDLE} in Linux's {@code sched.h}, as field 41 of {@code /proc/TID/stat} shows it. */
  static final int SCHED_IDLE = 5;

  private BackgroundPriority() {}

  /** True when the calling thread now runs in the idle class (and at nice {@value #NICE}). */
  static boolean lowerCurrentThread() {
    Path self = Path.of("/proc/thread-self");
    if (!Files.isSymbolicLink(self)) {
      return false;
    }
    try {
      String tid = Files.readSymbolicLink(self).getFileName().toString();
      boolean niced = run("renice", "-n", Integer.toString(NICE), "-p", tid);
      boolean idle = run("chrt", "--idle", "-p", "0", tid);
      if (!idle) {
        LOG.log(Level.INFO, "could not move thread " + Thread.currentThread().getName() + " to the idle scheduling class"
            + " (chrt failed); it runs at " + (niced ? "nice " + NICE : "the normal priority"));
      }
      return idle;
    } catch (IOException e) {
      LOG.log(Level.INFO, "could not lower the CPU priority of thread " + Thread.currentThread().getName()
          + " (" + e.getMessage() + "); it keeps the normal priority");
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean run(String... command) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (p.waitFor(10, TimeUnit.SECONDS)) {
        return p.exitValue() == 0;
      }
      p.destroyForcibly();
      return false;
    } catch (IOException e) {
      return false; // not installed
    }
  }
}
