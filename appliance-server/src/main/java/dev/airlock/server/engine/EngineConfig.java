package dev.airlock.server.engine;

import io.micronaut.context.annotation.ConfigurationProperties;

/**
 * Defaults for embedded engine activations, under {@code airlock.engine.*}: an activation that
 * does not name its threads or context size gets these.
 */
@ConfigurationProperties("airlock.engine")
public class EngineConfig {
  /** 0 means one thread per core, llama.cpp's own default; a shared machine is often faster with fewer. */
  private int threads = 0;
  private int ctxSize = EngineOptions.DEFAULT_CTX_SIZE;

  /** The configured thread count, 0 for one per core. */
  public int getThreads() {
    return threads;
  }

  public void setThreads(int threads) {
    this.threads = threads;
  }

  /** Threads an activation gets when it names none: the configured count, or one per core. */
  public int defaultThreads() {
    return threads > 0 ? threads : EngineOptions.defaultThreads();
  }

  public int getCtxSize() {
    return ctxSize;
  }

  public void setCtxSize(int ctxSize) {
    this.ctxSize = ctxSize;
  }
}
