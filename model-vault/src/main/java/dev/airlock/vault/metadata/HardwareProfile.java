package dev.airlock.vault.metadata;

import java.util.OptionalInt;

/**
 * Where a model is meant to run: the GPUs (count and memory of each), the context length the
 * KV cache is sized for (the model's own maximum when absent), and how many sequences run at once.
 */
public record HardwareProfile(int gpuCount, long memoryPerGpuBytes, OptionalInt contextLength, int batchSize) {
  public static final long GIB = 1L << 30;

  public HardwareProfile {
    if (gpuCount < 0) throw new IllegalArgumentException("GPU count cannot be negative: " + gpuCount);
    if (memoryPerGpuBytes < 0) throw new IllegalArgumentException("GPU memory cannot be negative: " + memoryPerGpuBytes);
    if (batchSize < 1) throw new IllegalArgumentException("batch size is at least 1, got " + batchSize);
    contextLength.ifPresent(c -> {
      if (c < 1) throw new IllegalArgumentException("context length is at least 1 token, got " + c);
    });
  }

  /** {@code count} GPUs of {@code memoryPerGpuBytes} each, the model's full context, one sequence. */
  public static HardwareProfile gpus(int count, long memoryPerGpuBytes) {
    return new HardwareProfile(count, memoryPerGpuBytes, OptionalInt.empty(), 1);
  }

  /** No GPUs configured: memory is estimated, fit is not decided. */
  public static HardwareProfile none() {
    return new HardwareProfile(0, 0, OptionalInt.empty(), 1);
  }

  public HardwareProfile withContextLength(int tokens) {
    return new HardwareProfile(gpuCount, memoryPerGpuBytes, OptionalInt.of(tokens), batchSize);
  }

  public HardwareProfile withBatchSize(int sequences) {
    return new HardwareProfile(gpuCount, memoryPerGpuBytes, contextLength, sequences);
  }

  public long totalMemoryBytes() {
    return Math.multiplyExact(gpuCount, memoryPerGpuBytes);
  }
}
