package dev.airlock.installer;

import dev.airlock.vault.signing.HashProgress;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows hashing progress: a progress bar with throughput and ETA on a terminal, plain lines (every
 * {@value #LINE_EVERY_PERCENT}%) when the output is a file or a pipe.
 */
final class HashingProgress implements HashProgress, AutoCloseable {
  /** Plain-line granularity: often enough to see it move, rare enough for a log file. */
  static final int LINE_EVERY_PERCENT = 10;

  private static final long MIB = 1 << 20;

  private final String task;
  private final PrintWriter lines;
  private final boolean terminal;
  private ProgressBar bar;
  private int lastPercent = -1;

  HashingProgress(String task, PrintWriter lines, boolean terminal) {
    this.task = task;
    this.lines = lines;
    this.terminal = terminal;
  }

  /** A bar when the standard streams are a terminal; otherwise plain lines to {@code err}. */
  static HashingProgress forCommand(String task, PrintWriter err) {
    return new HashingProgress(task, err, isTerminal());
  }

  @Override
  public void update(long done, long total) {
    if (terminal) {
      if (bar == null) {
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(total, 1))
            .setUnit(" MiB", MIB).showSpeed().setStyle(ProgressBarStyle.ASCII)
            .continuousUpdate().build();
      }
      bar.stepTo(done);
      return;
    }
    int percent = total == 0 ? 100 : (int) (done * 100 / total);
    int step = percent / LINE_EVERY_PERCENT * LINE_EVERY_PERCENT;
    if (step > lastPercent) {
      lastPercent = step;
      lines.printf("%s: %d%% (%d of %d MiB)%n", task, step, done / MIB, total / MIB);
      lines.flush();
    }
  }

  @Override
  public void close() {
    if (bar != null) bar.close();
  }

  private static boolean isTerminal() {
    var console = System.console();
    if (console == null) return false;
    try { // Console.isTerminal() exists from Java 22; before that a console is a terminal
      Method m = console.getClass().getMethod("isTerminal");
      return (Boolean) m.invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
