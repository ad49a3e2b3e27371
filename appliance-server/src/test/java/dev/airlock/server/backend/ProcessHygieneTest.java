package dev.airlock.server.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.server.gateway.TestAppliance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend is stopped with every process it started: vLLM runs worker processes of its own, and
 * killing only the process the supervisor started would leave them running as orphans. The
 * stand-in started with {@code --tensor-parallel-size 2} starts such a worker, as vLLM does per rank.
 */
class ProcessHygieneTest {
  /** Bounded waits: generous for a loaded build machine; a pass returns as soon as the condition holds. */
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void deactivatingAModelStopsItsProcessAndTheWorkerItStarted() throws Exception {
    try (TestAppliance appliance = TestAppliance.start(dir, List.of(), Map.of())) {
      appliance.activateVllm("worker-chat", Files.createDirectories(dir.resolve("vault/worker-chat")), 1,
          List.of("--tensor-parallel-size", "2"));
      appliance.awaitHealthy("worker-chat", 1);
      ProcessHandle server = replicaProcess(appliance, "worker-chat");
      ProcessHandle worker = workerOf(server);

      assertThat(appliance.admin("DELETE", "/admin/models/worker-chat", null).status()).isEqualTo(200);

      awaitTrue(() -> !ProcessTree.running(server) && !ProcessTree.running(worker), "replica and worker stopped");
      assertThat(ProcessTree.running(server)).isFalse();
      assertThat(ProcessTree.running(worker)).isFalse();
    }
  }

  @Test
  void aServerStoppedWithSigtermWhileItReadsActivationsAgainStopsItsReplicasAndLogsNoError() throws Exception {
    Path ready = dir.resolve("stopped-server.ready");
    Path log = dir.resolve("stopped-server.log");
    // Activations read again every 10 ms, so that reads fall while the server shuts down.
    Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ServerToKill.class.getName(), dir.toString(), ready.toString(),
        "10ms").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      awaitTrue(() -> Files.exists(ready) || !server.isAlive(), "the server in its own JVM serving a replica");
      assertThat(server.isAlive()).as("the server in its own JVM (see stopped-server.log)").isTrue();
      String[] pids = Files.readString(ready).split(" ");
      ProcessHandle replica = ProcessHandle.of(Long.parseLong(pids[0])).orElseThrow();
      ProcessHandle worker = ProcessHandle.of(Long.parseLong(pids[1])).orElseThrow();

      server.destroy(); // SIGTERM, as Ctrl-C or systemd stop the server

      awaitTrue(() -> !server.isAlive(), "the server exited");
      assertThat(server.isAlive()).isFalse();
      awaitTrue(() -> !ProcessTree.running(replica) && !ProcessTree.running(worker), "replica and worker stopped");
      assertThat(ProcessTree.running(replica)).isFalse();
      assertThat(ProcessTree.running(worker)).isFalse();
      assertThat(Files.readString(log)).as("the server's log while it stopped").doesNotContain("level=ERROR");
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void aReplicaKilledOutrightIsRestartedAndTheWorkerItOrphanedIsStoppedToo() throws Exception {
    ProcessHandle restarted;
    ProcessHandle restartedWorker;
    try (TestAppliance appliance = TestAppliance.start(dir, List.of(), Map.of())) {
      appliance.activateVllm("worker-chat", Files.createDirectories(dir.resolve("vault/worker-chat")), 1,
          List.of("--tensor-parallel-size", "2"));
      appliance.awaitHealthy("worker-chat", 1);
      ProcessHandle first = replicaProcess(appliance, "worker-chat");
      ProcessHandle orphan = workerOf(first);

      first.destroyForcibly(); // SIGKILL: the stand-in cannot take its worker with it; the worker now belongs to init
      awaitTrue(() -> appliance.supervisor().replicas().get("worker-chat").get(0).restarts() >= 1
          && appliance.supervisor().replicas().get("worker-chat").get(0).healthy(), "replica restarted");
      awaitTrue(() -> !ProcessTree.running(orphan), "the dead replica's worker stopped");
      assertThat(ProcessTree.running(orphan)).isFalse();

      restarted = replicaProcess(appliance, "worker-chat");
      restartedWorker = workerOf(restarted);
      assertThat(restarted.pid()).isNotEqualTo(first.pid());
    }
    // Closing the server stops what it supervises, workers included.
    assertThat(ProcessTree.running(restarted)).isFalse();
    assertThat(ProcessTree.running(restartedWorker)).isFalse();
  }

  @Test
  void backendsLeftRunningByAServerKilledOutrightAreStoppedByTheNextServer() throws Exception {
    Path ready = dir.resolve("killed-server.ready");
    Process killed = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ServerToKill.class.getName(), dir.toString(), ready.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("killed-server.log").toFile()).start();
    ProcessHandle replica;
    ProcessHandle worker;
    try {
      awaitTrue(() -> Files.exists(ready) || !killed.isAlive(), "the server in its own JVM serving a replica");
      assertThat(killed.isAlive()).as("the server in its own JVM (see killed-server.log)").isTrue();
      String[] pids = Files.readString(ready).split(" ");
      replica = ProcessHandle.of(Long.parseLong(pids[0])).orElseThrow();
      worker = ProcessHandle.of(Long.parseLong(pids[1])).orElseThrow();
    } finally {
      killed.destroyForcibly(); // SIGKILL: no exit hook runs
      killed.waitFor();
    }
    assertThat(ProcessTree.running(replica)).as("the killed server's replica, still running").isTrue();
    assertThat(ProcessTree.running(worker)).as("its worker, still running").isTrue();

    try (TestAppliance next = TestAppliance.start(dir, List.of(), Map.of())) {
      // Stopped while the next server started, before it started the model's replica again.
      assertThat(ProcessTree.running(replica)).isFalse();
      assertThat(ProcessTree.running(worker)).isFalse();
      next.awaitHealthy("worker-chat", 1);
      assertThat(replicaProcess(next, "worker-chat").pid()).isNotEqualTo(replica.pid());
      // The serving server's replica is recorded, so that another start on this data directory
      // (a second server, an admin command) leaves it alone while this server runs.
      assertThat(ProcessTree.stopRecorded(dir.resolve("data/backends/running"), Duration.ofSeconds(1))).isEmpty();
      assertThat(ProcessTree.running(replicaProcess(next, "worker-chat"))).isTrue();
    }
  }

  private static ProcessHandle replicaProcess(TestAppliance appliance, String model) {
    Replica replica = appliance.supervisor().replicas().get(model).get(0);
    return ProcessHandle.of(replica.pid().orElseThrow()).orElseThrow();
  }

  /** The stand-in starts its worker before it serves, so a healthy replica has one. */
  private static ProcessHandle workerOf(ProcessHandle server) {
    List<ProcessHandle> children = server.children().toList();
    assertThat(children).as("the stand-in's worker").hasSize(1);
    assertThat(children.get(0).info().arguments().map(List::of).orElse(List.of())).contains(VllmStandIn.WORKER);
    return children.get(0);
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) throw new AssertionError(what + ": not within " + WAIT);
      Thread.sleep(20);
    }
  }
}
