package dev.airlock.server.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.vault.metadata.HardwareProfile;
import org.junit.jupiter.api.Test;

class ApplianceHardwareTest {
  static final long GIB = HardwareProfile.GIB;

  @Test
  void weightsAreJudgedAgainstMainMemoryAndTheDeclaredGpus() {
    ApplianceHardware h = new ApplianceHardware(32 * GIB, HardwareProfile.gpus(2, 80 * GIB));
    // 16 GiB of weights: 24 GiB usable of 32 GiB memory; 144 GiB usable on 2 x 80 GiB at 90%
    assertThat(h.fit(16 * GIB)).containsExactly(
        "Embedded engine (CPU): fits: 16.0 GiB of weights in 24.0 GiB (75% of this appliance's 32.0 GiB of memory)",
        "vLLM (GPU): fits: 16.0 GiB of weights in 2 x 80.0 GiB at 90% = 144.0 GiB");
    assertThat(h.fit(140 * GIB).get(0)).startsWith("Embedded engine (CPU): does not fit");
    assertThat(h.fit(140 * GIB).get(1)).startsWith("vLLM (GPU): fits, tightly");
    assertThat(h.fit(150 * GIB).get(1)).startsWith("vLLM (GPU): does not fit");
  }

  @Test
  void withoutGpusItSaysHowToDeclareThem() {
    ApplianceHardware h = new ApplianceHardware(8 * GIB, HardwareProfile.none());
    assertThat(h.fit(1 << 20).get(0)).isEqualTo(
        "Embedded engine (CPU): fits: 1.0 MiB of weights in 6.0 GiB (75% of this appliance's 8.0 GiB of memory)");
    assertThat(h.fit(1 << 20).get(1)).contains("no GPUs are configured").contains("airlock.hardware.gpu-count");
  }
}
