package dev.airlock.server.backend;

import dev.airlock.server.ApplianceConfig;
import dev.airlock.server.engine.EmbeddedEngineLauncher;
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
 * Runs a backend per active model: starts its vLLM or embedded engine replicas (or watches its
 * external servers), health-checks them, restarts a dead replica with exponential backoff, and
 * stops them (each with every process it started) when the model is deactivated or the server
 * shuts down. Requests get the healthy replica with the fewest requests in flight.
 */
@Context
public class BackendSupervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackendSupervisor.class);

  /** While a replica starts, /health is polled this often so it takes traffic soon after it is ready. */
  static final Duration STARTUP_POLL = Duration.ofMillis(100);
  /** Consecutive failed health checks after which a running replica is restarted. */
  static final int FAILED_CHECKS_BEFORE_RESTART = 3;
  /** How long replicas get to exit on SIGTERM when the server itself is exiting: it cannot wait long. */
  static final Duration EXIT_GRACE = Duration.ofSeconds(2);
  /** The most of a replica's log {@link #recentLog} reads. */
  static final int LOG_TAIL_BYTES = 64 * 1024;
  /** How long a stopping replica (and every process it started) gets to exit on SIGTERM before it is killed. */
  static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final ActiveModels models;
  private final BackendClient client;
  private final BackendRegistry registry;
  private final BackendConfig config;
  private final BackendEvents events;
  private final Path logDir;
  private final Path engineDir;
  /** Where each running replica's processes are recorded ({@link ProcessTree}). */
  private final Path recordDir;
  private final AtomicInteger nextPort;
  private final Map<String, Running> running = new HashMap<>();
  /** Every replica process tree now running, for the exit hook (which must not wait for this object's lock). */
  private final java.util.Set<ProcessTree> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Thread exitHook = new Thread(this::stopAllOnExit, "backend-exit-hook");
  private volatile Map<String, List<Replica>> replicas = Map.of();
  private volatile boolean closed;

  private static final class Running {
    final ServedModel model;
    final List<Replica> replicas = new ArrayList<>();
    final List<Thread> threads = new ArrayList<>();
    final List<ProcessTree> processes = new ArrayList<>();
    volatile boolean stopped;

    Running(ServedModel model) {
      this.model = model;
    }
  }

  public BackendSupervisor(ActiveModels models, BackendClient client, BackendRegistry registry, BackendConfig config,
                           BackendEvents events, ApplianceConfig appliance) {
    this.models = models;
    this.client = client;
    this.registry = registry;
    this.config = config;
    this.events = events;
    this.logDir = appliance.getDataDir().toAbsolutePath().normalize().resolve("backends");
    this.engineDir = appliance.getDataDir().toAbsolutePath().normalize().resolve("engines");
    this.recordDir = logDir.resolve("running");
    this.nextPort = new AtomicInteger(config.getFirstBackendPort());
    try {
      Runtime.getRuntime().addShutdownHook(exitHook);
    } catch (IllegalStateException exiting) {
      // Built while the JVM exits: a task Micronaut scheduled on this bean (refreshActivations)
      // looked it up again after the context had destroyed it. Such a supervisor starts nothing.
      closed = true;
      return;
    }
    stopLeftovers();
    models.onChange(this::reconcile);
    reconcile();
  }

  /**
   * A server killed outright (SIGKILL, the OOM killer) leaves its replicas running, with their GPU
   * memory and ports: what the records left by a server no longer running name is stopped before
   * anything starts.
   */
  private void stopLeftovers() {
    try {
      List<ProcessHandle> found = ProcessTree.stopRecorded(recordDir, STOP_GRACE);
      if (!found.isEmpty()) {
        List<Long> unstoppable = found.stream().filter(ProcessTree::running).map(ProcessHandle::pid).toList();
        LOG.warn("backend processes left running by an earlier server were stopped: pids={}{}",
            found.stream().map(ProcessHandle::pid).toList(),
            unstoppable.isEmpty() ? "" : " stillRunning=" + unstoppable + " (stop them by hand)");
      }
    } catch (IOException e) {
      LOG.error("backend processes of an earlier server could not be checked: dir={} error={}", recordDir,
          e.getMessage());
    }
  }

  /**
   * The server is exiting without closing its context (SIGTERM, Ctrl-C, System.exit): its replicas
   * must not outlive it. A SIGKILL of the server cannot be caught; the embedded engine then ends by
   * itself when its parent has gone, a vLLM does not, and the next server stops it when it starts
   * ({@link #stopLeftovers}).
   */
  private void stopAllOnExit() {
    List<Thread> stopping = new ArrayList<>();
    for (ProcessTree t : List.copyOf(live)) stopping.add(Thread.ofPlatform().start(() -> t.terminate(EXIT_GRACE)));
    for (Thread t : stopping) joinUninterruptibly(t);
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
      case BackendSpec.Vllm spec -> startProcesses(r, spec.replicas(), "vllm",
          (replica, port) -> launchVllm(model, spec, replica, port));
      case BackendSpec.Embedded spec -> startProcesses(r, spec.replicas(), "engine",
          (replica, port) -> launchEmbedded(model, spec, replica, port));
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
    LOG.info("backend started: model={} kind={} replicas={}", model.id(), BackendSpec.kind(model.backend()),
        r.replicas.size());
    return r;
  }

  /** Starts one replica's process on its loopback port; the supervisor watches and restarts it. */
  @FunctionalInterface
  private interface Launcher {
    Process launch(Replica replica, int port) throws IOException;
  }

  private void startProcesses(Running r, int count, String threadPrefix, Launcher launcher) {
    for (int i = 0; i < count; i++) {
      int port = freePort();
      Replica replica = new Replica(r.model.id(), i, URI.create("http://127.0.0.1:" + port));
      registry.add(replica.base());
      r.replicas.add(replica);
      r.threads.add(Thread.ofVirtual().name(threadPrefix + "-" + r.model.id() + "-" + i)
          .start(() -> supervise(r, launcher, replica, port)));
    }
  }

  private void supervise(Running r, Launcher launcher, Replica replica, int port) {
    Duration backoff = config.getRestartBackoff();
    boolean first = true;
    while (!r.stopped) {
      if (!first) {
        replica.restarted();
        events.backendRestarted(replica.modelId());
        LOG.warn("backend replica restarting: model={} replica={} backoffMs={}", replica.modelId(), replica.index(), backoff.toMillis());
        if (!sleep(backoff, r)) break;
        backoff = min(backoff.multipliedBy(2), config.getMaxRestartBackoff());
      }
      first = false;
      ProcessTree tree;
      try {
        Process started = launcher.launch(replica, port);
        tree = new ProcessTree(started,
            recordDir.resolve(fileName(replica) + "-" + started.pid() + ProcessTree.RECORD_SUFFIX));
        live.add(tree);
      } catch (IOException | RuntimeException e) {
        LOG.error("backend replica cannot start: model={} replica={} error={}", replica.modelId(), replica.index(),
            e.getMessage());
        continue;
      }
      synchronized (r.processes) {
        if (r.stopped) {
          // Stopped while this replica was (re)starting: the process must not outlive the model's backend.
          tree.terminate(STOP_GRACE);
          live.remove(tree);
          break;
        }
        r.processes.add(tree);
      }
      Process p = tree.process();
      replica.process(p.toHandle());
      try {
        if (!awaitStartup(r, replica, p)) continue;
        tree.refresh(); // the workers it started before serving are known before it takes traffic
        replica.healthy(true);
        backoff = config.getRestartBackoff();
        LOG.info("backend replica healthy: model={} replica={} port={} pid={}", replica.modelId(), replica.index(), port,
            p.pid());
        int failedChecks = 0;
        while (!r.stopped && p.isAlive()) {
          tree.refresh();
          if (!sleep(config.getHealthInterval(), r)) break;
          boolean ok = p.isAlive() && client.healthy(replica.base());
          failedChecks = ok ? 0 : failedChecks + 1;
          replica.healthy(ok);
          if (failedChecks >= FAILED_CHECKS_BEFORE_RESTART) break;
        }
      } finally {
        replica.healthy(false);
        tree.terminate(STOP_GRACE);
        replica.process(null);
        synchronized (r.processes) {
          r.processes.remove(tree);
        }
        live.remove(tree);
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

  private Process launchVllm(ServedModel model, BackendSpec.Vllm spec, Replica replica, int port) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(VllmLaunch.command(config.getVllmExecutable(), model, spec, port));
    pb.environment().clear();
    pb.environment().putAll(VllmLaunch.environment(System.getenv()));
    Files.createDirectories(logDir);
    Path log = logFile(replica);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    LOG.info("backend replica launching: model={} replica={} port={} log={}", model.id(), replica.index(), port, log);
    return pb.start();
  }

  private Process launchEmbedded(ServedModel model, BackendSpec.Embedded spec, Replica replica, int port)
      throws IOException {
    Path log = logFile(replica);
    // Each replica unpacks the JNI library into its own directory: the binding deletes copies it finds there.
    Path work = engineDir.resolve(fileName(replica));
    LOG.info("backend replica launching: model={} replica={} port={} kind=embedded threads={} ctxSize={} log={}",
        model.id(), replica.index(), port, spec.threads(), spec.ctxSize(), log);
    return EmbeddedEngineLauncher.start(new EmbeddedEngineLauncher.Settings(Path.of(model.servedFrom()), model.id(), port,
        spec.threads(), spec.ctxSize(), spec.embeddings(), work), log);
  }

  private static String fileName(Replica replica) {
    return replica.modelId().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + replica.index();
  }

  /** Where a replica's stdout and stderr go: {@code <data dir>/backends/<model>-<replica>.log}. */
  public Path logFile(Replica replica) {
    return logDir.resolve(fileName(replica) + ".log");
  }

  /**
   * The last lines (at most {@code maxLines}, from at most the last {@value #LOG_TAIL_BYTES} bytes)
   * of a replica's log, oldest first; empty when it has none yet.
   */
  public List<String> recentLog(Replica replica, int maxLines) throws IOException {
    Path log = logFile(replica);
    if (!Files.isRegularFile(log) || maxLines <= 0) return List.of();
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log)) {
      long size = ch.size();
      long from = Math.max(0, size - LOG_TAIL_BYTES);
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (size - from));
      while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {
        // keep reading until the tail is in
      }
      List<String> lines = new ArrayList<>(List.of(new String(buf.array(), 0, buf.position(),
          java.nio.charset.StandardCharsets.UTF_8).split("\\R")));
      if (from > 0 && !lines.isEmpty()) lines.removeFirst(); // cut in the middle
      return List.copyOf(lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
    }
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
    List<ProcessTree> trees;
    synchronized (r.processes) {
      trees = List.copyOf(r.processes);
    }
    // All replicas get SIGTERM together, so a stop takes one grace period, not one per replica.
    List<Thread> stopping = new ArrayList<>();
    for (ProcessTree t : trees) stopping.add(Thread.ofVirtual().start(() -> t.terminate(STOP_GRACE)));
    for (Thread t : r.threads) t.interrupt();
    for (Thread t : stopping) joinUninterruptibly(t);
    LOG.info("backend stopped: model={}", r.model.id());
  }

  private static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
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
    if (closed) return;
    closed = true;
    running.values().forEach(this::stop);
    running.clear();
    replicas = Map.of();
    try {
      Runtime.getRuntime().removeShutdownHook(exitHook);
    } catch (IllegalStateException exiting) {
      // closed from another shutdown hook: the exit hook runs too, and finds nothing left
    }
  }
}
