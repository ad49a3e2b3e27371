package dev.airlock.audit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuPressureTest {
  @TempDir Path dir;

  /** A pressure file as Linux writes it (Documentation/accounting/psi.rst), with the given "some" total. */
  private Path pressure(long someTotal) throws Exception {
    Path file = dir.resolve("cpu");
    Files.writeString(file, "some avg10=1.83 avg60=17.13 avg300=30.28 total=" + someTotal + "\n"
        + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
    return file;
  }

  @Test
  void readsTheTimeSomeTaskWaitedForACore() throws Exception {
    assertThat(CpuPressure.stalledMicros(pressure(767_564_377L))).isEqualTo(767_564_377L);
  }

  @Test
  void busyWhenTasksWaitedMoreThanTheThresholdSinceTheLastLook() throws Exception {
    Path file = pressure(1_000_000);
    CpuPressure cores = new CpuPressure(file, 0.5);
    assertThat(cores.busy()).as("the first look has nothing to compare with").isFalse();
    Thread.sleep(20);
    pressure(1_000_000 + 3_600_000_000L); // an hour of waiting since: far above half of any interval
    assertThat(cores.busy()).isTrue();
    Thread.sleep(20);
    assertThat(cores.busy()).as("no task waited since the last look").isFalse();
  }

  @Test
  void neverBusyWhereTheKernelDoesNotReportPressure() throws Exception {
    CpuPressure missing = new CpuPressure(dir.resolve("absent"), 0.5);
    assertThat(missing.busy()).isFalse();
    assertThat(missing.busy()).isFalse();
    Path garbled = dir.resolve("garbled");
    Files.writeString(garbled, "some avg10=1.00 total=lots\n");
    assertThat(CpuPressure.stalledMicros(garbled)).isEqualTo(-1);
    Files.writeString(garbled, "full avg10=0.00 avg60=0.00 avg300=0.00 total=12\n");
    assertThat(CpuPressure.stalledMicros(garbled)).isEqualTo(-1);
  }

  @Test
  void readsThisMachinesPressureWhereLinuxReportsIt() {
    assumeTrue(Files.isReadable(CpuPressure.PROC), "no /proc/pressure/cpu here");
    assertThat(CpuPressure.stalledMicros(CpuPressure.PROC)).isNotNegative();
  }
}
