package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TransferProgressTest {
  private static final long MIB = 1 << 20;

  @Test
  void plainOutputPrintsALineEveryTenPercentOfLargeWork() {
    StringWriter out = new StringWriter();
    try (TransferProgress p = new TransferProgress(new PrintWriter(out), false, "Hashing")) {
      p.start("Copying", 100 * MIB);
      for (int i = 0; i < 100; i++) p.advance(MIB);
    }
    var lines = out.toString().lines().toList();
    assertThat(lines).hasSize(11);
    assertThat(lines.get(0)).isEqualTo("Copying: 0% (0 of 100 MiB)");
    assertThat(lines.get(5)).startsWith("Copying: 50% (50 of 100 MiB");
    assertThat(lines.get(10)).startsWith("Copying: 100% (100 of 100 MiB");
  }

  @Test
  void smallWorkStaysQuietOnPlainOutput() {
    StringWriter out = new StringWriter();
    try (TransferProgress p = new TransferProgress(new PrintWriter(out), false, "Hashing")) {
      p.start("Copying", 16_477);
      p.advance(16_477);
    }
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void hashingUpdatesReportAbsoluteProgressUnderTheHashingTask() {
    StringWriter out = new StringWriter();
    try (TransferProgress p = new TransferProgress(new PrintWriter(out), false, "Hashing")) {
      p.update(0, 200 * MIB);
      p.update(100 * MIB, 200 * MIB);
      p.update(200 * MIB, 200 * MIB);
    }
    assertThat(out.toString().lines().toList())
        .first().isEqualTo("Hashing: 0% (0 of 200 MiB)");
    assertThat(out.toString()).contains("Hashing: 50% (100 of 200 MiB").contains("Hashing: 100% (200 of 200 MiB");
  }
}
