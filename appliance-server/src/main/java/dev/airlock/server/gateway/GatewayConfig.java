package dev.airlock.server.gateway;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.util.Optional;

/**
 * The gateway's own settings, under {@code airlock.gateway.*}: the operator token and the fast
 * path. The backends' settings share the prefix but are {@code backend.BackendConfig}'s.
 */
@ConfigurationProperties("airlock.gateway")
public class GatewayConfig {
  /** Default per-app request limit: generous for one internal app, still stops a runaway loop. */
  public static final int DEFAULT_REQUESTS_PER_MINUTE = 600;
  /** Default per-app token quota per minute: a few long chats per second on one GPU. */
  public static final long DEFAULT_TOKENS_PER_MINUTE = 200_000;
  /** Default largest request body: long prompts fit, a pasted file of megabytes does not. */
  public static final long DEFAULT_MAX_REQUEST_BYTES = 1_048_576;

  private String operatorToken = "";
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
