package dev.airlock.server.auth;

import java.time.Instant;
import java.util.Set;

/** A console user as the console shows it; the password hash never leaves {@link Users}. */
public record ConsoleUser(String username, String displayName, Set<Role> roles, boolean mustChangePassword,
                          boolean disabled, Instant createdAt, String createdBy) {
  public ConsoleUser {
    roles = Set.copyOf(roles);
  }
}
