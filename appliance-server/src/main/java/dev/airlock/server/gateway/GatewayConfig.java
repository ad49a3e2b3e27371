package dev.airlock.server.gateway;

import io.micronaut.context.annotation.ConfigurationProperties;

/**
 * The gateway's own settings, under {@code airlock.gateway.*}: the fast path. The backends' settings share the prefix but are {@code backend.BackendConfig}'s; the
 * operator token is {@code auth.OperatorAuth}'s.
 */
@ConfigurationProperties("airlock.gateway")
public class GatewayConfig {

  private boolean fastPath = true;

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
