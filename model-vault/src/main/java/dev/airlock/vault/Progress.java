package dev.airlock.vault;

/**
 * Where long work (hashing, copying) reports how far it got. The CLI draws a progress bar on a
 * terminal and plain lines otherwise; the server may report nothing. Implementations must accept
 * {@link #advance} from several threads.
 */
public interface Progress {
  /** Starts a task of {@code totalBytes} (or -1 when unknown). */
  void start(String task, long totalBytes);

  void advance(long bytes);

  void finish();

  /** Reports nothing. */
  Progress NONE = new Progress() {
    @Override public void start(String task, long totalBytes) {}
    @Override public void advance(long bytes) {}
    @Override public void finish() {}
  };
}
