package dev.airlock.server.backend;

import jakarta.inject.Singleton;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The addresses of every backend replica the supervisor runs or was configured with: the client's allowlist. */
@Singleton
public class BackendRegistry {
  private final Set<URI> configured = ConcurrentHashMap.newKeySet();

  void add(URI base) {
    configured.add(base);
  }

  void remove(URI base) {
    configured.remove(base);
  }

  public boolean isConfigured(URI base) {
    return configured.contains(base);
  }
}
