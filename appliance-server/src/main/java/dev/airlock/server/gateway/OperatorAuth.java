package dev.airlock.server.gateway;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards the operator surfaces (/admin, /metrics) with the operator token until the console's
 * users and roles exist. App keys are never accepted here.
 */
@Singleton
public class OperatorAuth {
  /** Who admin audit records name as the actor while the only operator credential is the token. */
  public static final String ACTOR = "operator-token";

  private final GatewayConfig config;

  public OperatorAuth(GatewayConfig config) {
    this.config = config;
  }

  /** Returns the actor, or throws the refusal to send. */
  public String require(HttpRequest<?> request) {
    String expected = config.operatorToken().orElseThrow(() -> new Refused(403,
        "The operator API is disabled: set airlock.gateway.operator-token (AIRLOCK_GATEWAY_OPERATOR_TOKEN) to enable it."));
    String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
    String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
    if (presented.isEmpty()) {
      throw new Refused(401, "Send the operator token as 'Authorization: Bearer <token>'.");
    }
    if (presented.startsWith("alk_")) {
      throw new Refused(403, "App API keys cannot use the operator API; use the operator token.");
    }
    if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
      throw new Refused(401, "The operator token is not valid.");
    }
    return ACTOR;
  }

  /** An operator request refused for its credentials. */
  public static final class Refused extends RuntimeException {
    private final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }
}
