package dev.airlock.audit.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index writer gives way to the request path: it runs in Linux's idle scheduling class, at nice 19. */
class BackgroundPriorityTest {
  @TempDir Path dir;

  @BeforeEach
  void linuxWithReniceAndChrt() {
    Assumptions.assumeTrue(Files.isSymbolicLink(Path.of("/proc/thread-self")), "needs Linux /proc");
    for (String tool : List.of("renice", "chrt")) {
      Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin", tool)) || Files.isExecutable(Path.of("/bin", tool)),
          "needs util-linux " + tool);
    }
  }

  @Test
  void lowersOnlyTheCallingThread() throws Exception {
    Priority before = priorityOf(currentTid());
    AtomicBoolean lowered = new AtomicBoolean();
    AtomicReference<Priority> after = new AtomicReference<>();
    Thread t = Thread.ofPlatform().start(() -> {
      lowered.set(BackgroundPriority.lowerCurrentThread());
      try {
        after.set(priorityOf(currentTid()));
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    t.join();
    assertThat(lowered).isTrue();
    assertThat(after.get()).isEqualTo(Priority.LOWEST);
    assertThat(priorityOf(currentTid())).isEqualTo(before).isNotEqualTo(Priority.LOWEST);
  }

  @Test
  void theIndexWriterRunsAtTheLowestPriority() throws Exception {
    try (AuditLog log = AuditLog.open(dir.resolve("audit"), AuditIndexTest.KEYS, AuditLogOptions.defaults());
         AuditIndex index = AuditIndex.open(log)) {
      log.append(AuditIndexTest.record(0));
      assertThat(index.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
      List<Priority> writers = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      // The writer lowers itself as it starts; wait for that rather than race it.
      do {
        writers.clear();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
          for (Path task : tasks.toList()) {
            if (Files.readString(task.resolve("comm")).strip().startsWith("audit-index-wri")) {
              writers.add(priorityOf(task.getFileName().toString()));
            }
          }
        }
        if (!writers.isEmpty() && writers.stream().allMatch(Priority.LOWEST::equals)) break;
        Thread.sleep(20);
      } while (System.nanoTime() < deadline);
      assertThat(writers).isNotEmpty().allMatch(Priority.LOWEST::equals);
      assertThat(priorityOf(currentTid())).isNotEqualTo(Priority.LOWEST);
    }
  }

  private static String currentTid() throws IOException {
    return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
  }

  record Priority(int nice, int policy) {
    static final Priority LOWEST = new Priority(BackgroundPriority.NICE, BackgroundPriority.SCHED_IDLE);
  }

  /** Fields 19 (nice) and 41 (scheduling policy) of /proc/self/task/TID/stat, counted after the parenthesised command name. */
  private static Priority priorityOf(String tid) throws IOException {
    String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
    String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new Priority(Integer.parseInt(after[16]), Integer.parseInt(after[38]));
  }
}
