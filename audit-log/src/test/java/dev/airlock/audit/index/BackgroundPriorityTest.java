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

/** The index writer gives way to the request path: it runs at nice 19 where Linux lets it. */
class BackgroundPriorityTest {
  @TempDir Path dir;

  @BeforeEach
  void linuxWithRenice() {
    Assumptions.assumeTrue(Files.isSymbolicLink(Path.of("/proc/thread-self")), "needs Linux /proc");
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/renice")) || Files.isExecutable(Path.of("/bin/renice")),
        "needs util-linux renice");
  }

  @Test
  void lowersOnlyTheCallingThread() throws Exception {
    int before = niceOf(currentTid());
    AtomicBoolean lowered = new AtomicBoolean();
    AtomicReference<Integer> after = new AtomicReference<>();
    Thread t = Thread.ofPlatform().start(() -> {
      lowered.set(BackgroundPriority.lowerCurrentThread());
      try {
        after.set(niceOf(currentTid()));
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    t.join();
    assertThat(lowered).isTrue();
    assertThat(after.get()).isEqualTo(BackgroundPriority.NICE);
    assertThat(niceOf(currentTid())).isEqualTo(before).isNotEqualTo(BackgroundPriority.NICE);
  }

  @Test
  void theIndexWriterRunsAtTheLowestPriority() throws Exception {
    try (AuditLog log = AuditLog.open(dir.resolve("audit"), AuditIndexTest.KEYS, AuditLogOptions.defaults());
         AuditIndex index = AuditIndex.open(log)) {
      log.append(AuditIndexTest.record(0));
      assertThat(index.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
      List<Integer> writers = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      // The writer lowers itself as it starts; wait for that rather than race it.
      do {
        writers.clear();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
          for (Path task : tasks.toList()) {
            if (Files.readString(task.resolve("comm")).strip().startsWith("audit-index-wri")) {
              writers.add(niceOf(task.getFileName().toString()));
            }
          }
        }
        if (!writers.isEmpty() && writers.stream().allMatch(n -> n == BackgroundPriority.NICE)) break;
        Thread.sleep(20);
      } while (System.nanoTime() < deadline);
      assertThat(writers).isNotEmpty().allMatch(n -> n == BackgroundPriority.NICE);
      assertThat(niceOf(currentTid())).isNotEqualTo(BackgroundPriority.NICE);
    }
  }

  private static String currentTid() throws IOException {
    return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
  }

  /** Field 19 of /proc/self/task/TID/stat, counted after the parenthesised command name. */
  private static int niceOf(String tid) throws IOException {
    String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
    String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(after[16]);
  }
}
