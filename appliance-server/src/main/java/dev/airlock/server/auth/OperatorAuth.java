package dev.airlock.server.auth;

import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Checks the operator token ({@code airlock.gateway.operator-token}): automation's credential for
 * the routes {@link Allowed#operatorToken()} opens to it (apps, keys, activations, backends,
 * metrics). App keys are never accepted here.
 */
@Singleton
public class OperatorAuth {
  /** Who admin audit records name as the actor while the only operator credential is the token. */
  public static final String ACTOR = "operator-token";

  private final Optional<String> token;

  public OperatorAuth(@Value("${airlock.gateway.operator-token:}") String token) {
    this.token = token == null || token.isBlank() ? Optional.empty() : Optional.of(token);
  }

  /** Returns the actor, or throws the refusal to send. */
  public String require(HttpRequest<?> request) {
    String expected = token.orElseThrow(() -> new Refused(403,
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
