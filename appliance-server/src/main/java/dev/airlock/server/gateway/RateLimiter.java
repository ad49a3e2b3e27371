package dev.airlock.server.gateway;

import dev.airlock.server.apps.App;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-app limits over one-minute windows: requests counted as they arrive, tokens counted as
 * responses report their usage. A request over either limit is refused with the seconds left in
 * the window as Retry-After. Counts are per server node.
 */
@Singleton
public class RateLimiter {
  /** Window length: limits are configured per minute. */
  static final long WINDOW_NANOS = 60_000_000_000L;

  private static final class Window {
    long start;
    long requests;
    long tokens;
  }

  private final Map<String, Window> windows = new ConcurrentHashMap<>();
  private final java.util.function.LongSupplier clock;

  public RateLimiter() {
    this(System::nanoTime);
  }

  RateLimiter(java.util.function.LongSupplier clock) {
    this.clock = clock;
  }

  /** Counts one request for the app, or throws 429 if it is over its request or token limit. */
  public void admit(App app) {
    long now = clock.getAsLong();
    Window w = windows.computeIfAbsent(app.id(), k -> {
      Window fresh = new Window();
      fresh.start = now;
      return fresh;
    });
    synchronized (w) {
      if (now - w.start >= WINDOW_NANOS) {
        w.start = now;
        w.requests = 0;
        w.tokens = 0;
      }
      long retryAfter = Math.max(1, (w.start + WINDOW_NANOS - now + 999_999_999L) / 1_000_000_000L);
      if (w.tokens >= app.tokensPerMinute()) throw GatewayError.rateLimited("tokens", app.tokensPerMinute(), retryAfter);
      if (w.requests >= app.requestsPerMinute()) throw GatewayError.rateLimited("requests", app.requestsPerMinute(), retryAfter);
      w.requests++;
    }
  }

  /** Adds the tokens a finished request used to the app's current window. */
  public void used(App app, long tokens) {
    if (tokens <= 0) return;
    Window w = windows.get(app.id());
    if (w == null) return;
    synchronized (w) {
      w.tokens += tokens;
    }
  }
}
