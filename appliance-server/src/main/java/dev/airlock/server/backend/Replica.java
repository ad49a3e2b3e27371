package dev.airlock.server.backend;

import java.net.URI;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend process (or external server) able to serve a model. Requests go to the healthy
 * replica with the fewest requests in flight; a replica that fails a request is taken out until
 * its health check passes again.
 */
public final class Replica {
  private final String modelId;
  private final int index;
  private final URI base;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger restarts = new AtomicInteger();
  private volatile boolean healthy;
  private volatile ProcessHandle process;

  Replica(String modelId, int index, URI base) {
    this.modelId = modelId;
    this.index = index;
    this.base = base;
  }

  public String modelId() {
    return modelId;
  }

  public int index() {
    return index;
  }

  public URI base() {
    return base;
  }

  public boolean healthy() {
    return healthy;
  }

  void healthy(boolean value) {
    healthy = value;
  }

  /** The process id of the replica's running process (none for an external server, or between restarts). */
  public OptionalLong pid() {
    ProcessHandle p = process;
    return p == null || !p.isAlive() ? OptionalLong.empty() : OptionalLong.of(p.pid());
  }

  void process(ProcessHandle value) {
    process = value;
  }

  public int inFlight() {
    return inFlight.get();
  }

  public int restarts() {
    return restarts.get();
  }

  void restarted() {
    restarts.incrementAndGet();
  }

  void begin() {
    inFlight.incrementAndGet();
  }

  void end() {
    inFlight.decrementAndGet();
  }

  @Override
  public String toString() {
    return modelId + "#" + index + "@" + base;
  }
}
