package dev.airlock.server.gateway;

import java.util.Optional;

/**
 * A request the gateway refuses, answered in OpenAI's error shape
 * {@code {"error":{"message","type","param","code"}}} with its HTTP status.
 */
public final class GatewayError extends RuntimeException {
  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final long retryAfterSeconds;

  private GatewayError(int status, String type, String message, String param, String code, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static GatewayError badRequest(String message, String param, String code) {
    return new GatewayError(400, "invalid_request_error", message, param, code, 0);
  }

  public static GatewayError missingKey() {
    return new GatewayError(401, "invalid_request_error",
        "No API key was given. Send your app's key as 'Authorization: Bearer <key>'; an operator can issue one.",
        null, "missing_api_key", 0);
  }

  public static GatewayError invalidKey() {
    return new GatewayError(401, "invalid_request_error",
        "The API key is not valid (unknown, revoked or rotated). Ask an operator for a current key.",
        null, "invalid_api_key", 0);
  }

  /** Unknown, inactive and ungranted models all look the same, so a key learns nothing it may not use. */
  public static GatewayError modelNotFound(String model) {
    return new GatewayError(404, "invalid_request_error",
        "The model `" + model + "` does not exist or you do not have access to it. GET /v1/models lists the models this key may use.",
        "model", "model_not_found", 0);
  }

  public static GatewayError notFound(String what) {
    return new GatewayError(404, "invalid_request_error", what, null, "not_found", 0);
  }

  public static GatewayError tooLarge(long size, long limit) {
    return new GatewayError(413, "invalid_request_error",
        "The request body is " + size + " bytes; this app may send at most " + limit
            + ". Shorten the prompt or ask an operator to raise the app's limit.",
        null, "request_too_large", 0);
  }

  public static GatewayError rateLimited(String what, long limit, long retryAfterSeconds) {
    return new GatewayError(429, what.equals("tokens") ? "tokens" : "requests",
        "Rate limit reached: this app may use " + limit + " " + what + " per minute. Retry after "
            + retryAfterSeconds + " s.",
        null, "rate_limit_exceeded", retryAfterSeconds);
  }

  public static GatewayError auditUnavailable() {
    return new GatewayError(503, "server_error",
        "The audit log cannot record this request, so it was not sent to the model. Retry later; operators are alerted by the audit metrics.",
        null, "audit_unavailable", 0);
  }

  public static GatewayError backendUnavailable(String model) {
    return new GatewayError(503, "server_error",
        "No healthy backend is serving `" + model + "` right now. Retry shortly.",
        null, "backend_unavailable", 0);
  }

  /** Something the gateway did not expect; the log has the details under the request id. */
  public static GatewayError internal(String requestId) {
    return new GatewayError(500, "server_error", "The gateway failed on this request (request id " + requestId
        + "). Retry; if it persists, give the operator the request id: the server log has the details.",
        null, "internal_error", 0);
  }

  public static GatewayError backendFailed(String model) {
    return new GatewayError(503, "server_error",
        "The backend serving `" + model + "` failed during the request; it was not retried. Send the request again.",
        null, "backend_failed", 0);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public Optional<String> param() {
    return Optional.ofNullable(param);
  }

  public String code() {
    return code;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
