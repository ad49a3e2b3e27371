package dev.airlock.installer;

import dev.airlock.vault.Progress;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work (hashing, copying, verifying): a progress bar with throughput and ETA on
 * a terminal, and on a file or pipe a plain line every {@value #LINE_EVERY_PERCENT}% with the
 * throughput so far. Safe to advance from several threads.
 */
final class TransferProgress implements Progress, AutoCloseable {
  /** Plain-line granularity: often enough to see it move, rare enough for a log file. */
  static final int LINE_EVERY_PERCENT = 10;
  /** Below this, work finishes before a line would help, so plain output stays quiet. */
  static final long PLAIN_LINES_MIN_BYTES = 64L << 20;
  private static final long MIB = 1 << 20;

  private final PrintWriter lines;
  private final boolean terminal;
  private final AtomicLong done = new AtomicLong();
  private String task = "";
  private long total;
  private long startedNanos;
  private int lastPercent;
  private ProgressBar bar;
  private boolean started;

  TransferProgress(PrintWriter lines, boolean terminal) {
    this.lines = lines;
    this.terminal = terminal;
  }

  /** A bar when the standard streams are a terminal; otherwise plain lines to {@code err}. */
  static TransferProgress forCommand(PrintWriter err) {
    return new TransferProgress(err, System.console() != null && isTerminal());
  }

  /** Ends the display of work that stopped before it finished (an error). */
  @Override
  public void close() {
    if (started) finish();
  }

  @Override
  public synchronized void start(String task, long totalBytes) {
    this.task = task;
    this.total = Math.max(totalBytes, 0);
    this.startedNanos = System.nanoTime();
    this.lastPercent = -1;
    this.started = true;
    done.set(0);
    if (terminal) {
      bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(total, 1))
          .setUnit(" MiB", MIB).showSpeed().setStyle(ProgressBarStyle.ASCII).continuousUpdate()
          .build();
    } else if (plainLines()) {
      line(0);
    }
  }

  private boolean plainLines() {
    return total >= PLAIN_LINES_MIN_BYTES;
  }

  @Override
  public void advance(long bytes) {
    long now = done.addAndGet(bytes);
    if (terminal) {
      ProgressBar b = bar;
      if (b != null) b.stepTo(now);
      return;
    }
    if (!plainLines()) return;
    int percent = (int) Math.min(100, now * 100 / total);
    if (percent / LINE_EVERY_PERCENT * LINE_EVERY_PERCENT > lastPercent) {
      synchronized (this) {
        int step = percent / LINE_EVERY_PERCENT * LINE_EVERY_PERCENT;
        if (step > lastPercent) line(step);
      }
    }
  }

  @Override
  public synchronized void finish() {
    if (bar != null) {
      bar.stepTo(done.get());
      bar.close();
      bar = null;
    } else if (plainLines() && lastPercent < 100 && done.get() >= total) {
      line(100);
    }
  }

  private void line(int percent) {
    lastPercent = percent;
    double seconds = (System.nanoTime() - startedNanos) / 1e9;
    long bytes = done.get();
    String speed = seconds > 0.5 ? String.format(java.util.Locale.ROOT, ", %.0f MiB/s", bytes / (double) MIB / seconds) : "";
    lines.printf("%s: %d%% (%d of %d MiB%s)%n", task, percent, bytes / MIB, total / MIB, speed);
    lines.flush();
  }

  private static boolean isTerminal() {
    var console = System.console();
    try { // Console.isTerminal() exists from Java 22; before that a console is a terminal
      return (Boolean) console.getClass().getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
