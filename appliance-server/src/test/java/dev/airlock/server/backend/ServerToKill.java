package dev.airlock.server.backend;

import dev.airlock.server.gateway.TestAppliance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A server in a JVM of its own, for {@link ProcessHygieneTest} to kill or stop: it serves one
 * stand-in replica that has a worker, then writes {@code <replica pid> <worker pid>} to the file
 * named by its second argument and waits.
 */
public final class ServerToKill {
  private ServerToKill() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    // A third argument: how often the server reads its activations again (airlock.gateway.refresh-interval).
    TestAppliance appliance = TestAppliance.start(dir, List.of(),
        args.length > 2 ? Map.of("airlock.gateway.refresh-interval", args[2]) : Map.of());
    // As `./airlock server` and the demo do: SIGTERM closes the server's context.
    Runtime.getRuntime().addShutdownHook(new Thread(appliance::close, "close-on-exit"));
    appliance.activateVllm("worker-chat", Files.createDirectories(dir.resolve("vault/worker-chat")), 1,
        List.of("--tensor-parallel-size", "2"));
    appliance.awaitHealthy("worker-chat", 1);
    ProcessHandle replica = ProcessHandle.of(
        appliance.supervisor().replicas().get("worker-chat").get(0).pid().orElseThrow()).orElseThrow();
    ProcessHandle worker = replica.children().findFirst().orElseThrow();
    Path ready = Path.of(args[1]);
    Files.writeString(ready.resolveSibling(ready.getFileName() + ".tmp"), replica.pid() + " " + worker.pid());
    Files.move(ready.resolveSibling(ready.getFileName() + ".tmp"), ready);
    Thread.sleep(Long.MAX_VALUE);
  }
}
