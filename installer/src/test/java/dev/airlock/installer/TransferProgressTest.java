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
    try (TransferProgress p = new TransferProgress(new PrintWriter(out), false)) {
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
    try (TransferProgress p = new TransferProgress(new PrintWriter(out), false)) {
      p.start("Copying", 16_477);
      p.advance(16_477);
    }
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void workThatFailsHalfWayIsNotReportedAsFinished() {
    StringWriter out = new StringWriter();
    try (TransferProgress p = new TransferProgress(new PrintWriter(out), false)) {
      p.start("Hashing", 200 * MIB);
      p.advance(100 * MIB);
    }
    assertThat(out.toString().lines().toList()).last().asString().startsWith("Hashing: 50% (100 of 200 MiB");
  }
}
