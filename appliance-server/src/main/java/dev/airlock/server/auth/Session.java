package dev.airlock.server.auth;

import java.time.Instant;

/**
 * A signed-in console session. The token itself is never stored: only its SHA-256.
 *
 * @param tokenHash the SHA-256 of the session token, hex
 * @param csrfToken the token every state-changing form post or cookie-authenticated API call must echo
 */
public record Session(String tokenHash, String username, String csrfToken, Instant createdAt, Instant lastSeenAt,
                      Instant expiresAt) {}
