package dev.airlock.audit.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the machine's cores are contended, from Linux's pressure stall information: the
 * {@code some} line of {@code /proc/pressure/cpu} counts the microseconds in which at least one
 * runnable task waited for a core. Each {@link #busy} call looks at the time since the previous one.
 * Where the kernel does not report it (no file, other systems), the cores never count as busy.
 */
final class CpuPressure {
  static final Path PROC = Path.of("/proc/pressure/cpu");

  private final Path file;
  private final double threshold;
  private long lastStalled = -1;
  private long lastNanos;

  /** {@code threshold}: the share of the time, 0 to 1, with a task waiting for a core above which they are busy. */
  CpuPressure(Path file, double threshold) {
    this.file = file;
    this.threshold = threshold;
  }

  /** True when, since the previous call, tasks waited for a core more than the threshold's share of the time. */
  boolean busy() {
    long stalled = stalledMicros(file);
    long now = System.nanoTime();
    long previous = lastStalled;
    long elapsedMicros = (now - lastNanos) / 1_000;
    lastStalled = stalled;
    lastNanos = now;
    if (stalled < 0 || previous < 0 || elapsedMicros <= 0) {
      return false;
    }
    return (stalled - previous) > threshold * elapsedMicros;
  }

  /** The {@code some total=} counter of a pressure file, or -1 when it is missing or not in that format. */
  static long stalledMicros(Path file) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (!line.startsWith("some ")) {
          continue;
        }
        int at = line.indexOf("total=");
        if (at < 0) {
          return -1;
        }
        int end = line.indexOf(' ', at);
        return Long.parseLong(line.substring(at + "total=".length(), end < 0 ? line.length() : end).strip());
      }
      return -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }
}
