package dev.airlock.server.review;

import dev.airlock.vault.metadata.HardwareProfile;
import dev.airlock.vault.metadata.MemoryEstimator;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * Whether a model's weights fit this appliance: in main memory for the embedded CPU engine, and in
 * the GPUs an operator declared ({@code airlock.hardware.gpu-count}, {@code gpu-memory-gib}) for
 * vLLM. The weights are what the model needs at least; the conversation cache comes on top and
 * depends on the context and load, so a "fits" with little room to spare is said to be tight.
 */
@Singleton
public class ApplianceHardware {
  /** Share of main memory the embedded engine may take; the server and the system need the rest. */
  static final double CPU_MEMORY_SHARE = 0.75;
  /** Below this headroom (as a share of the usable memory) a fit is called tight. */
  static final double TIGHT = 0.2;

  private final long memoryBytes;
  private final HardwareProfile gpus;

  public ApplianceHardware(@Value("${airlock.hardware.gpu-count:0}") int gpuCount,
                           @Value("${airlock.hardware.gpu-memory-gib:0}") int gpuMemoryGib) {
    this(physicalMemory(), gpuCount == 0 ? HardwareProfile.none() : HardwareProfile.gpus(gpuCount, gpuMemoryGib * HardwareProfile.GIB));
  }

  ApplianceHardware(long memoryBytes, HardwareProfile gpus) {
    this.memoryBytes = memoryBytes;
    this.gpus = gpus;
  }

  /** One line per backend kind, in words, for a model whose weights take {@code weightBytes}. */
  public List<String> fit(long weightBytes) {
    long cpuUsable = (long) (memoryBytes * CPU_MEMORY_SHARE);
    String cpu = "Embedded engine (CPU): " + verdict(weightBytes, cpuUsable) + ": " + gib(weightBytes) + " of weights in "
        + gib(cpuUsable) + " (" + Math.round(CPU_MEMORY_SHARE * 100) + "% of this appliance's " + gib(memoryBytes) + " of memory)";
    String gpu;
    if (gpus.gpuCount() == 0) {
      gpu = "vLLM (GPU): no GPUs are configured on this appliance (airlock.hardware.gpu-count, gpu-memory-gib)";
    } else {
      long usable = MemoryEstimator.usableBytes(gpus);
      gpu = "vLLM (GPU): " + verdict(weightBytes, usable) + ": " + gib(weightBytes) + " of weights in " + gpus.gpuCount()
          + " x " + gib(gpus.memoryPerGpuBytes()) + " at " + Math.round(MemoryEstimator.GPU_MEMORY_UTILIZATION * 100)
          + "% = " + gib(usable);
    }
    return List.of(cpu, gpu);
  }

  static String verdict(long need, long usable) {
    if (need > usable) return "does not fit";
    return usable - need < usable * TIGHT ? "fits, tightly (little room for the conversation cache)" : "fits";
  }

  private static String gib(long bytes) {
    return bytes < HardwareProfile.GIB
        ? String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20))
        : String.format(Locale.ROOT, "%.1f GiB", bytes / (double) HardwareProfile.GIB);
  }

  private static long physicalMemory() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
  }
}
