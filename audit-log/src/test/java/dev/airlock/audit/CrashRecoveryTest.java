package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.note.NoteVerifier;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during appends: a child JVM appends from many threads and prints each index as soon as
 * append returns; the test kills it mid-stream with SIGKILL, reopens the log, and checks that every
 * printed (acknowledged) index holds exactly what was written and that the log verifies.
 */
class CrashRecoveryTest {
  @TempDir Path dir;

  @Test
  void everyAcknowledgedEntrySurvivesKillDashNine() throws Exception {
    Path keyFile = dir.resolve("audit.keys");
    AuditLogTest.KEYS.save(keyFile);
    Path logDir = dir.resolve("audit");
    Map<Long, String> acknowledged = new HashMap<>();
    for (int round = 0; round < 3; round++) {
      String java = ProcessHandle.current().info().command().orElse("java");
      Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          CrashingAppender.class.getName(), logDir.toString(), keyFile.toString(), "r" + round)
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      int target = 1500 + round * 700;
      int seen = 0;
      try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          String[] parts = line.split(" ", 2);
          acknowledged.put(Long.parseLong(parts[0]), parts[1]);
          if (++seen == target) {
            // SIGKILL: no shutdown hooks, no close(). (Through the handle, which unlike
            // Process.destroyForcibly leaves our end of the pipe open to read what was printed.)
            child.toHandle().destroyForcibly();
          }
        }
      }
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as("child was killed, not finished").isEqualTo(137);
      assertThat(seen).isGreaterThanOrEqualTo(target);

      try (AuditLog log = AuditLog.open(logDir, AuditLogTest.KEYS, AuditLogTest.options())) {
        for (Map.Entry<Long, String> e : acknowledged.entrySet()) {
          assertThat(e.getKey()).isLessThan(log.size());
          String payload = new String(log.decrypt(e.getKey()).orElseThrow().payload(), StandardCharsets.UTF_8);
          assertThat(payload).as("entry %d", e.getKey()).isEqualTo(e.getValue());
        }
      }
      VerificationReport r = AuditLogReader.open(logDir).verify(NoteVerifier.parse(AuditLogTest.KEYS.verifierKey()));
      assertThat(r.problem()).as("verification after crash %d", round).isEmpty();
      assertThat(r.entries()).isGreaterThanOrEqualTo(acknowledged.size());
    }
  }

  /** The child: appends until killed, printing "index payload" after each acknowledged append. */
  public static final class CrashingAppender {
    public static void main(String[] args) throws Exception {
      AuditKeys keys = AuditKeys.load(Path.of(args[1]));
      AuditLog log = AuditLog.open(Path.of(args[0]), keys,
          AuditLogOptions.defaults().withCheckpointEntries(500).withSegmentBytes(256 * 1024));
      Object print = new Object();
      List<Thread> threads = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        threads.add(Thread.ofPlatform().start(() -> {
          for (long k = 0; ; k++) {
            String payload = args[2] + "-t" + thread + "-" + k + "-" + "y".repeat(900);
            long i = log.append(AuditRecord.builder("inference.request").subject("s" + (k % 11))
                .payload(payload.getBytes(StandardCharsets.UTF_8)).build());
            synchronized (print) {
              System.out.println(i + " " + payload);
              System.out.flush();
            }
          }
        }));
      }
      for (Thread t : threads) {
        t.join();
      }
    }
  }
}
