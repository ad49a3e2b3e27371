package dev.airlock.server.backend;

import dev.airlock.server.ApplianceConfig;
import dev.airlock.server.gateway.GatewayConfig;
import dev.airlock.server.gateway.GatewayMetrics;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a backend per active model: starts its vLLM replicas (or watches its external servers),
 * health-checks them, restarts a dead replica with exponential backoff, and stops them when the
 * model is deactivated. Requests get the healthy replica with the fewest requests in flight.
 */
@Context
public class BackendSupervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackendSupervisor.class);

  /** While a replica starts, /health is polled this often so it takes traffic soon after it is ready. */
  static final Duration STARTUP_POLL = Duration.ofMillis(100);
  /** Consecutive failed health checks after which a running replica is restarted. */
  static final int FAILED_CHECKS_BEFORE_RESTART = 3;
  /** How long a stopping vLLM gets to exit on SIGTERM before it is killed. */
  static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final ActiveModels models;
  private final BackendClient client;
  private final BackendRegistry registry;
  private final GatewayConfig config;
  private final GatewayMetrics metrics;
  private final Path logDir;
  private final AtomicInteger nextPort;
  private final Map<String, Running> running = new HashMap<>();
  private volatile Map<String, List<Replica>> replicas = Map.of();
  private volatile boolean closed;

  private static final class Running {
    final ServedModel model;
    final List<Replica> replicas = new ArrayList<>();
    final List<Thread> threads = new ArrayList<>();
    final List<Process> processes = new ArrayList<>();
    volatile boolean stopped;

    Running(ServedModel model) {
      this.model = model;
    }
  }

  public BackendSupervisor(ActiveModels models, BackendClient client, BackendRegistry registry, GatewayConfig config,
                           GatewayMetrics metrics, ApplianceConfig appliance) {
    this.models = models;
    this.client = client;
    this.registry = registry;
    this.config = config;
    this.metrics = metrics;
    this.logDir = appliance.getDataDir().toAbsolutePath().normalize().resolve("backends");
    this.nextPort = new AtomicInteger(config.getFirstBackendPort());
    models.onChange(this::reconcile);
    reconcile();
  }

  /** The healthy replica of the model with the fewest requests in flight, marked busy; release it when done. */
  public Optional<Replica> acquire(String modelId) {
    List<Replica> list = replicas.getOrDefault(modelId, List.of());
    Optional<Replica> best = list.stream().filter(Replica::healthy).min(Comparator.comparingInt(Replica::inFlight));
    best.ifPresent(Replica::begin);
    return best;
  }

  /** Another node may have changed activations in the shared database: pick that up. */
  @io.micronaut.scheduling.annotation.Scheduled(fixedDelay = "${airlock.gateway.refresh-interval:5s}", initialDelay = "5s")
  public void refreshActivations() {
    if (!closed) models.refresh();
  }

  public void release(Replica replica) {
    replica.end();
  }

  /** A request failed on this replica: take it out until its health check passes again. */
  public void failed(Replica replica) {
    replica.healthy(false);
    LOG.warn("backend replica failed a request and is out of rotation until healthy: model={} replica={}",
        replica.modelId(), replica.index());
  }

  public Map<String, List<Replica>> replicas() {
    return replicas;
  }

  synchronized void reconcile() {
    if (closed) return;
    Map<String, ServedModel> wanted = new HashMap<>();
    for (ServedModel m : models.active()) wanted.put(m.id(), m);
    for (var it = running.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      ServedModel w = wanted.get(e.getKey());
      if (w == null || !w.equals(e.getValue().model)) {
        stop(e.getValue());
        it.remove();
      }
    }
    for (ServedModel m : wanted.values()) {
      if (!running.containsKey(m.id())) running.put(m.id(), start(m));
    }
    Map<String, List<Replica>> next = new HashMap<>();
    running.forEach((id, r) -> next.put(id, List.copyOf(r.replicas)));
    replicas = Map.copyOf(next);
  }

  private Running start(ServedModel model) {
    Running r = new Running(model);
    switch (model.backend()) {
      case BackendSpec.Vllm spec -> {
        for (int i = 0; i < spec.replicas(); i++) {
          int port = freePort();
          Replica replica = new Replica(model.id(), i, URI.create("http://127.0.0.1:" + port));
          registry.add(replica.base());
          r.replicas.add(replica);
          r.threads.add(Thread.ofVirtual().name("vllm-" + model.id() + "-" + i)
              .start(() -> superviseVllm(r, spec, replica, port)));
        }
      }
      case BackendSpec.External spec -> {
        for (int i = 0; i < spec.endpoints().size(); i++) {
          Replica replica = new Replica(model.id(), i, spec.endpoints().get(i));
          registry.add(replica.base());
          r.replicas.add(replica);
          r.threads.add(Thread.ofVirtual().name("external-" + model.id() + "-" + i)
              .start(() -> watchExternal(r, replica)));
        }
      }
    }
    LOG.info("backend started: model={} kind={} replicas={}", model.id(),
        model.backend() instanceof BackendSpec.Vllm ? "vllm" : "external", r.replicas.size());
    return r;
  }

  private void superviseVllm(Running r, BackendSpec.Vllm spec, Replica replica, int port) {
    Duration backoff = config.getRestartBackoff();
    boolean first = true;
    while (!r.stopped) {
      if (!first) {
        replica.restarted();
        metrics.backendRestarted(replica.modelId());
        LOG.warn("backend replica restarting: model={} replica={} backoffMs={}", replica.modelId(), replica.index(), backoff.toMillis());
        if (!sleep(backoff, r)) break;
        backoff = min(backoff.multipliedBy(2), config.getMaxRestartBackoff());
      }
      first = false;
      Process p;
      try {
        p = launch(r.model, spec, replica, port);
      } catch (IOException e) {
        LOG.error("backend replica cannot start: model={} replica={} executable={} error={}",
            replica.modelId(), replica.index(), spec.executable(), e.getMessage());
        continue;
      }
      synchronized (r.processes) {
        if (r.stopped) {
          // Stopped while this replica was (re)starting: the process must not outlive the model's backend.
          terminate(p);
          break;
        }
        r.processes.add(p);
      }
      try {
        if (!awaitStartup(r, replica, p)) continue;
        replica.healthy(true);
        backoff = config.getRestartBackoff();
        LOG.info("backend replica healthy: model={} replica={} port={}", replica.modelId(), replica.index(), port);
        int failedChecks = 0;
        while (!r.stopped && p.isAlive()) {
          if (!sleep(config.getHealthInterval(), r)) break;
          boolean ok = p.isAlive() && client.healthy(replica.base());
          failedChecks = ok ? 0 : failedChecks + 1;
          replica.healthy(ok);
          if (failedChecks >= FAILED_CHECKS_BEFORE_RESTART) break;
        }
      } finally {
        replica.healthy(false);
        terminate(p);
        synchronized (r.processes) {
          r.processes.remove(p);
        }
      }
      if (!r.stopped) {
        LOG.warn("backend replica down: model={} replica={} exitCode={}", replica.modelId(), replica.index(),
            p.isAlive() ? "running" : String.valueOf(p.exitValue()));
      }
    }
  }

  private boolean awaitStartup(Running r, Replica replica, Process p) {
    long deadline = System.nanoTime() + config.getStartupTimeout().toNanos();
    while (!r.stopped && p.isAlive() && System.nanoTime() - deadline < 0) {
      if (client.healthy(replica.base())) return true;
      if (!sleep(STARTUP_POLL, r)) return false;
    }
    if (!p.isAlive()) {
      LOG.error("backend replica exited while starting: model={} replica={} exitCode={} log={}", replica.modelId(),
          replica.index(), p.exitValue(), logFile(replica));
    } else if (!r.stopped) {
      LOG.error("backend replica not healthy within {}: model={} replica={}", config.getStartupTimeout(),
          replica.modelId(), replica.index());
    }
    return false;
  }

  private Process launch(ServedModel model, BackendSpec.Vllm spec, Replica replica, int port) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(VllmLaunch.command(model, spec, port));
    pb.environment().clear();
    pb.environment().putAll(VllmLaunch.environment(System.getenv()));
    Files.createDirectories(logDir);
    Path log = logFile(replica);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    LOG.info("backend replica launching: model={} replica={} port={} log={}", model.id(), replica.index(), port, log);
    return pb.start();
  }

  private Path logFile(Replica replica) {
    return logDir.resolve(replica.modelId().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + replica.index() + ".log");
  }

  private void watchExternal(Running r, Replica replica) {
    while (!r.stopped) {
      boolean ok = client.healthy(replica.base());
      if (ok != replica.healthy()) {
        LOG.info("external backend {}: model={} replica={} address={}", ok ? "healthy" : "unhealthy",
            replica.modelId(), replica.index(), replica.base());
      }
      replica.healthy(ok);
      if (!sleep(replica.healthy() ? config.getHealthInterval() : min(config.getHealthInterval(), STARTUP_POLL.multipliedBy(5)), r)) break;
    }
    replica.healthy(false);
  }

  private void stop(Running r) {
    synchronized (r.processes) {
      r.stopped = true;
    }
    for (Replica replica : r.replicas) {
      replica.healthy(false);
      registry.remove(replica.base());
    }
    List<Process> ps;
    synchronized (r.processes) {
      ps = List.copyOf(r.processes);
    }
    for (Process p : ps) terminate(p);
    for (Thread t : r.threads) t.interrupt();
    LOG.info("backend stopped: model={}", r.model.id());
  }

  private static void terminate(Process p) {
    if (!p.isAlive()) return;
    p.destroy();
    try {
      if (!p.waitFor(STOP_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) p.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private int freePort() {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = nextPort.getAndIncrement();
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException busy) {
        // taken by something else: try the next one
      }
    }
    throw new IllegalStateException("no free loopback port for a backend from " + config.getFirstBackendPort()
        + ": set airlock.gateway.first-backend-port to a free range");
  }

  private static boolean sleep(Duration d, Running r) {
    try {
      Thread.sleep(d);
      return !r.stopped;
    } catch (InterruptedException e) {
      return false;
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @PreDestroy
  @Override
  public synchronized void close() {
    closed = true;
    running.values().forEach(this::stop);
    running.clear();
    replicas = Map.of();
  }
}
