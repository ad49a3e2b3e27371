package dev.airlock.server.gateway;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The gateway's settings, under {@code airlock.gateway.*}. */
@ConfigurationProperties("airlock.gateway")
public class GatewayConfig {
  /** Default per-app request limit: generous for one internal app, still stops a runaway loop. */
  public static final int DEFAULT_REQUESTS_PER_MINUTE = 600;
  /** Default per-app token quota per minute: a few long chats per second on one GPU. */
  public static final long DEFAULT_TOKENS_PER_MINUTE = 200_000;
  /** Default largest request body: long prompts fit, a pasted file of megabytes does not. */
  public static final long DEFAULT_MAX_REQUEST_BYTES = 1_048_576;
  /** How often a backend replica's /health is polled. */
  static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(2);
  /** How long a vLLM replica may take to answer /health after starting (loading weights is slow). */
  static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(15);
  /** First restart delay after a replica dies; doubles up to the maximum. */
  static final Duration DEFAULT_RESTART_BACKOFF = Duration.ofSeconds(1);
  static final Duration DEFAULT_MAX_RESTART_BACKOFF = Duration.ofMinutes(2);
  /** First port handed to supervised vLLM replicas on 127.0.0.1. */
  static final int DEFAULT_FIRST_BACKEND_PORT = 18_000;

  private String operatorToken = "";
  private List<String> externalAllowlist = new ArrayList<>();
  private String vllmExecutable = "vllm";
  private Duration healthInterval = DEFAULT_HEALTH_INTERVAL;
  private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
  private Duration restartBackoff = DEFAULT_RESTART_BACKOFF;
  private Duration maxRestartBackoff = DEFAULT_MAX_RESTART_BACKOFF;
  private int firstBackendPort = DEFAULT_FIRST_BACKEND_PORT;
  private boolean fastPath = true;

  /** The operator token for /admin and /metrics; empty disables both. */
  public Optional<String> operatorToken() {
    return operatorToken == null || operatorToken.isBlank() ? Optional.empty() : Optional.of(operatorToken);
  }

  public String getOperatorToken() {
    return operatorToken;
  }

  public void setOperatorToken(String operatorToken) {
    this.operatorToken = operatorToken;
  }

  /** host:port pairs an external backend may live at; nothing else is ever contacted. */
  public List<String> getExternalAllowlist() {
    return externalAllowlist;
  }

  public void setExternalAllowlist(List<String> externalAllowlist) {
    this.externalAllowlist = externalAllowlist;
  }

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

  /**
   * Whether the inference routes are served on the connection's pipeline ahead of Micronaut's
   * routing ({@link GatewayFastPath}); off, Micronaut serves them with the same gateway. For
   * comparing the two, e.g. in the benchmark.
   */
  public boolean isFastPath() {
    return fastPath;
  }

  public void setFastPath(boolean fastPath) {
    this.fastPath = fastPath;
  }
}
