package dev.airlock.server.demo;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The demo's narrative: one line per step, {@code [ 4/14] what it did ....... 0.2 s}. On a
 * terminal a running step shows its progress on the same line, overwritten by the result; in a
 * pipe or a log only the result lines appear, so the output reads the same in both.
 */
final class Narrator {
  /** Where the dots end and the duration starts: fits an 80-column terminal. */
  private static final int WIDTH = 66;

  private final PrintStream out;
  private final int steps;
  private final boolean terminal;
  private int step;
  private String doing = "";
  private long startedAt;
  private long lastDrawn;

  Narrator(PrintStream out, int steps, boolean terminal) {
    this.out = out;
    this.steps = steps;
    this.terminal = terminal;
  }

  /** Starts the next step; {@code doing} is shown while it runs (on a terminal). */
  void begin(String doing) {
    step++;
    this.doing = doing;
    startedAt = System.nanoTime();
    lastDrawn = 0;
    if (terminal) {
      out.print("\r" + prefix() + doing + " ...");
      out.flush();
    }
  }

  /** Progress of the running step, e.g. "42%" or "3.1 s"; drawn at most ten times a second. */
  void progress(String status) {
    if (!terminal) return;
    long now = System.nanoTime();
    if (now - lastDrawn < 100_000_000L) return;
    lastDrawn = now;
    out.print("\r" + prefix() + doing + " ... " + status + "   ");
    out.flush();
  }

  /** Ends the running step with what it did. */
  void done(String what) {
    double seconds = (System.nanoTime() - startedAt) / 1e9;
    String line = prefix() + what + " ";
    StringBuilder b = new StringBuilder(line).append("..");
    while (b.length() < WIDTH) b.append('.');
    b.append(String.format(Locale.ROOT, " %.1f s", seconds));
    if (terminal) out.print("\r\033[K");
    out.println(b);
  }

  /** An indented detail line under the step just done. */
  void detail(String text) {
    out.println("        " + text);
  }

  /** Ends the running step as failed (the caller then says why). */
  void failed() {
    if (terminal) out.print("\r\033[K");
    out.println(prefix() + doing + ": FAILED");
  }

  void say(String text) {
    out.println(text);
  }

  private String prefix() {
    return String.format(Locale.ROOT, "[%2d/%d] ", step, steps);
  }
}
