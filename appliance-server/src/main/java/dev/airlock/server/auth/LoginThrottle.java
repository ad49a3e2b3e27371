package dev.airlock.server.auth;

import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing: after {@code failuresBeforeDelay} failed sign-ins for a username,
 * each further attempt must wait a delay that doubles with each failure (30 s, 1 min, ... up to
 * 15 min); an address with many failures across usernames waits too. A throttled attempt is refused
 * before the password is checked, so it reveals nothing. Kept per server node, in memory.
 */
@Singleton
public class LoginThrottle {
  private static final Duration ADDRESS_WINDOW = Duration.ofMinutes(15);

  private final ConsoleConfig config;
  private final Clock clock;
  private final Map<String, UserFailures> byUser = new ConcurrentHashMap<>();
  private final Map<String, Deque<Instant>> byAddress = new ConcurrentHashMap<>();

  public LoginThrottle(ConsoleConfig config) {
    this(config, Clock.systemUTC());
  }

  LoginThrottle(ConsoleConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  private record UserFailures(int count, Instant blockedUntil) {}

  /** How long this attempt must wait, or empty when it may go ahead. */
  public Optional<Duration> waitFor(String username, String address) {
    Instant now = clock.instant();
    UserFailures f = byUser.get(key(username));
    if (f != null && now.isBefore(f.blockedUntil())) return Optional.of(Duration.between(now, f.blockedUntil()));
    Deque<Instant> recent = byAddress.get(address);
    if (recent != null) {
      synchronized (recent) {
        prune(recent, now);
        if (recent.size() >= config.getFailuresPerAddress()) {
          return Optional.of(Duration.between(now, recent.peekFirst().plus(ADDRESS_WINDOW)));
        }
      }
    }
    return Optional.empty();
  }

  public void failed(String username, String address) {
    Instant now = clock.instant();
    byUser.compute(key(username), (k, f) -> {
      int count = f == null ? 1 : f.count() + 1;
      int over = count - config.getFailuresBeforeDelay();
      Instant until = now;
      if (over >= 0) {
        long delay = config.getFirstLoginDelay().toMillis() << Math.min(over, 20);
        until = now.plusMillis(Math.min(delay, config.getMaxLoginDelay().toMillis()));
      }
      return new UserFailures(count, until);
    });
    Deque<Instant> recent = byAddress.computeIfAbsent(address, a -> new ArrayDeque<>());
    synchronized (recent) {
      prune(recent, now);
      recent.addLast(now);
    }
  }

  public void succeeded(String username) {
    byUser.remove(key(username));
  }

  private static void prune(Deque<Instant> recent, Instant now) {
    while (!recent.isEmpty() && !recent.peekFirst().plus(ADDRESS_WINDOW).isAfter(now)) recent.removeFirst();
  }

  private static String key(String username) {
    return username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
  }
}
