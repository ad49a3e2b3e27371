package dev.airlock.server.backend;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The backends' settings: which vLLM runs, which external addresses may be contacted, health
 * checks, restarts and ports. They keep their {@code airlock.gateway.*} keys (deployments set
 * them so), but belong to the backends, so the backend package needs nothing from the gateway's.
 */
@ConfigurationProperties("airlock.gateway")
public class BackendConfig {
  /** How often a backend replica's /health is polled. */
  static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(2);
  /** How long a vLLM replica may take to answer /health after starting (loading weights is slow). */
  static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(15);
  /** First restart delay after a replica dies; doubles up to the maximum. */
  static final Duration DEFAULT_RESTART_BACKOFF = Duration.ofSeconds(1);
  static final Duration DEFAULT_MAX_RESTART_BACKOFF = Duration.ofMinutes(2);
  /** First port handed to supervised vLLM replicas on 127.0.0.1. */
  static final int DEFAULT_FIRST_BACKEND_PORT = 18_000;

  private List<String> externalAllowlist = new ArrayList<>();
  private String vllmExecutable = "vllm";
  private Duration healthInterval = DEFAULT_HEALTH_INTERVAL;
  private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
  private Duration restartBackoff = DEFAULT_RESTART_BACKOFF;
  private Duration maxRestartBackoff = DEFAULT_MAX_RESTART_BACKOFF;
  private int firstBackendPort = DEFAULT_FIRST_BACKEND_PORT;

  /** host:port pairs an external backend may live at; nothing else is ever contacted. */
  public List<String> getExternalAllowlist() {
    return externalAllowlist;
  }

  public void setExternalAllowlist(List<String> externalAllowlist) {
    this.externalAllowlist = externalAllowlist;
  }

  /** The vLLM executable every supervised replica runs: installation configuration, never an API field. */
  public String getVllmExecutable() {
    return vllmExecutable;
  }

  public void setVllmExecutable(String vllmExecutable) {
    this.vllmExecutable = vllmExecutable;
  }

  public Duration getHealthInterval() {
    return healthInterval;
  }

  public void setHealthInterval(Duration healthInterval) {
    this.healthInterval = healthInterval;
  }

  public Duration getStartupTimeout() {
    return startupTimeout;
  }

  public void setStartupTimeout(Duration startupTimeout) {
    this.startupTimeout = startupTimeout;
  }

  public Duration getRestartBackoff() {
    return restartBackoff;
  }

  public void setRestartBackoff(Duration restartBackoff) {
    this.restartBackoff = restartBackoff;
  }

  public Duration getMaxRestartBackoff() {
    return maxRestartBackoff;
  }

  public void setMaxRestartBackoff(Duration maxRestartBackoff) {
    this.maxRestartBackoff = maxRestartBackoff;
  }

  public int getFirstBackendPort() {
    return firstBackendPort;
  }

  public void setFirstBackendPort(int firstBackendPort) {
    this.firstBackendPort = firstBackendPort;
  }

}
