package dev.airlock.server.auth;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/** Console sign-in settings, under {@code airlock.console.*}. */
@ConfigurationProperties("airlock.console")
public class ConsoleConfig {
  /** A session ends after this long without a request. */
  private Duration sessionIdleTimeout = Duration.ofMinutes(30);
  /** A session ends this long after sign-in, however active. */
  private Duration sessionMaxAge = Duration.ofHours(12);
  /** Failed sign-ins for one username before each further attempt must wait. */
  private int failuresBeforeDelay = 5;
  /** The first wait after that; it doubles with each further failure up to {@link #maxLoginDelay}. */
  private Duration firstLoginDelay = Duration.ofSeconds(30);
  private Duration maxLoginDelay = Duration.ofMinutes(15);
  /** Failed sign-ins from one address within 15 minutes before that address must wait. */
  private int failuresPerAddress = 30;

  public Duration getSessionIdleTimeout() {
    return sessionIdleTimeout;
  }

  public void setSessionIdleTimeout(Duration sessionIdleTimeout) {
    this.sessionIdleTimeout = sessionIdleTimeout;
  }

  public Duration getSessionMaxAge() {
    return sessionMaxAge;
  }

  public void setSessionMaxAge(Duration sessionMaxAge) {
    this.sessionMaxAge = sessionMaxAge;
  }

  public int getFailuresBeforeDelay() {
    return failuresBeforeDelay;
  }

  public void setFailuresBeforeDelay(int failuresBeforeDelay) {
    this.failuresBeforeDelay = failuresBeforeDelay;
  }

  public Duration getFirstLoginDelay() {
    return firstLoginDelay;
  }

  public void setFirstLoginDelay(Duration firstLoginDelay) {
    this.firstLoginDelay = firstLoginDelay;
  }

  public Duration getMaxLoginDelay() {
    return maxLoginDelay;
  }

  public void setMaxLoginDelay(Duration maxLoginDelay) {
    this.maxLoginDelay = maxLoginDelay;
  }

  public int getFailuresPerAddress() {
    return failuresPerAddress;
  }

  public void setFailuresPerAddress(int failuresPerAddress) {
    this.failuresPerAddress = failuresPerAddress;
  }
}
