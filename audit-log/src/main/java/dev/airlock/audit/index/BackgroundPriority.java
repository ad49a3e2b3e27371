package dev.airlock.audit.index;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the calling thread to the lowest CPU priority (nice 19). The search index is derived data,
 * rebuilt from the log at any time, while the request path waits on every audit append: when the
 * machine's cores are all busy, the kernel should run requests first and let the index fall behind,
 * to catch up as soon as there is idle time. Linux lets a thread lower its own priority without
 * any privilege; the JDK has no call for it, so util-linux's {@code renice} does it, on this thread's
 * id read from {@code /proc/thread-self}. Best effort: elsewhere nothing changes.
 */
final class BackgroundPriority {
  private static final System.Logger LOG = System.getLogger(BackgroundPriority.class.getName());
  static final int NICE = 19;

  private BackgroundPriority() {}

  /** True when the calling thread now runs at nice {@value #NICE}. */
  static boolean lowerCurrentThread() {
    Path self = Path.of("/proc/thread-self");
    if (!Files.isSymbolicLink(self)) {
      return false;
    }
    try {
      String tid = Files.readSymbolicLink(self).getFileName().toString();
      Process renice = new ProcessBuilder("renice", "-n", Integer.toString(NICE), "-p", tid)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      boolean done = renice.waitFor(10, TimeUnit.SECONDS) && renice.exitValue() == 0;
      if (!done) {
        renice.destroyForcibly();
        LOG.log(Level.INFO, "could not lower the CPU priority of thread " + Thread.currentThread().getName()
            + " (renice failed); it keeps the normal priority");
      }
      return done;
    } catch (IOException e) {
      LOG.log(Level.INFO, "could not lower the CPU priority of thread " + Thread.currentThread().getName()
          + " (" + e.getMessage() + "); it keeps the normal priority");
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
