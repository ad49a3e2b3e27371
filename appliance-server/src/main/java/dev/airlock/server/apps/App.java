package dev.airlock.server.apps;

import java.util.Optional;
import java.util.Set;

/**
 * An internal application allowed to call the gateway: its limits and the models and aliases it
 * may use. {@code subjectHeader} names the request header that carries the end user when the
 * OpenAI {@code user} field is absent.
 */
public record App(String id, String name, int requestsPerMinute, long tokensPerMinute, long maxRequestBytes,
                  Optional<String> subjectHeader, Set<String> grants) {
  public App {
    grants = Set.copyOf(grants);
  }

  public boolean mayUse(String modelOrAlias) {
    return grants.contains(modelOrAlias);
  }
}
