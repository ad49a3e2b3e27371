package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.note.NoteVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk full on a real, small file system: a 3 MiB tmpfs mounted for the test (needs root, as on
 * the build machines; elsewhere the test is skipped and says why).
 */
class DiskFullTest {
  @TempDir Path dir;
  Path mount;
  boolean mounted;

  @BeforeEach
  void mountSmallTmpfs() throws Exception {
    mount = dir.resolve("small-disk");
    Files.createDirectories(mount);
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean ok = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    Assumptions.assumeTrue(ok, "cannot mount a tmpfs here (needs root): " + out.strip());
    mounted = true;
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void appendsFailClearlyWhenTheDiskIsFullAndResumeWhenSpaceReturns() throws Exception {
    Path filler = mount.resolve("filler");
    Files.write(filler, new byte[1024 * 1024]);
    Path logDir = mount.resolve("audit");
    List<Long> acknowledged = new ArrayList<>();
    byte[] kib = "z".repeat(1024).getBytes(StandardCharsets.UTF_8);
    try (AuditLog log = AuditLog.open(logDir, AuditLogTest.KEYS,
        AuditLogTest.options().withSegmentBytes(256 * 1024).withCheckpointEntries(200))) {
      AuditLogException failure = null;
      for (int i = 0; i < 10_000 && failure == null; i++) {
        try {
          acknowledged.add(log.append(AuditRecord.builder("inference.request").subject("s" + (i % 4)).payload(kib).build()));
        } catch (AuditLogException e) {
          failure = e;
        }
      }
      assertThat(failure).as("the 3 MiB disk must fill up").isNotNull();
      assertThat(failure.getMessage())
          .contains("could not record 1 audit entry in " + logDir)
          .contains("the disk is full (No space left on device)")
          .contains("Nothing was recorded; free space on the audit volume");
      long sizeAtFailure = log.size();
      assertThat(sizeAtFailure).isEqualTo(acknowledged.size());
      assertThatThrownBy(() -> log.append(AuditRecord.builder("inference.request").payload(kib).build()))
          .isInstanceOf(AuditLogException.class).hasMessageContaining("disk is full");
      assertThat(log.size()).isEqualTo(sizeAtFailure);

      Files.delete(filler); // space returns

      for (int i = 0; i < 50; i++) {
        acknowledged.add(log.append(AuditRecord.builder("inference.request").subject("s1").payload(kib).build()));
      }
      assertThat(log.size()).isEqualTo(sizeAtFailure + 50);
    }
    try (AuditLog log = AuditLog.open(logDir, AuditLogTest.KEYS, AuditLogTest.options())) {
      assertThat(log.size()).isEqualTo(acknowledged.size());
      for (long i : acknowledged) {
        assertThat(log.decrypt(i)).isPresent();
      }
    }
    VerificationReport r = AuditLogReader.open(logDir).verify(NoteVerifier.parse(AuditLogTest.KEYS.verifierKey()));
    assertThat(r.problem()).isEmpty();
    assertThat(r.entries()).isEqualTo(acknowledged.size());
  }
}
