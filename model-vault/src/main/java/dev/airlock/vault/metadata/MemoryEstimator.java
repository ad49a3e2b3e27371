package dev.airlock.vault.metadata;

import java.util.Locale;
import java.util.Optional;

/**
 * The memory arithmetic, as pure functions:
 *
 * <pre>
 *   weights  = tensor bytes from the headers (or parameters x bytes per parameter)
 *   KV cache = 2 (K and V) x layers x KV heads x head dim x context x batch x bytes per element
 *   fits     = weights + KV cache &lt;= GPUs x memory per GPU x {@value #GPU_MEMORY_UTILIZATION}
 * </pre>
 */
public final class MemoryEstimator {
  /**
   * Share of each GPU's memory a model may use: vLLM's default {@code --gpu-memory-utilization},
   * the rest being left to the CUDA context, NCCL buffers, activations' peaks and fragmentation.
   */
  public static final double GPU_MEMORY_UTILIZATION = 0.90;

  /** vLLM ("auto") and llama.cpp (f16) keep K and V in 16 bits unless told otherwise. */
  public static final int DEFAULT_KV_BYTES_PER_ELEMENT = 2;

  private MemoryEstimator() {}

  /** Bytes per weight for a dtype name (config.json or safetensors spelling) and quantization. */
  public static Optional<Double> bytesPerParameter(Optional<String> dtype, Optional<Quantization> quantization) {
    if (quantization.isPresent() && quantization.get().bits().isPresent()) {
      return Optional.of(quantization.get().bits().getAsInt() / 8.0);
    }
    return dtype.map(d -> d.toLowerCase(Locale.ROOT)).flatMap(d -> switch (d) {
      case "float32", "f32", "fp32" -> Optional.of(4.0);
      case "bfloat16", "float16", "bf16", "f16", "fp16", "half" -> Optional.of(2.0);
      case "float8_e4m3fn", "float8_e5m2", "f8_e4m3", "f8_e5m2", "int8", "i8", "u8", "uint8" -> Optional.of(1.0);
      case "float64", "f64" -> Optional.of(8.0);
      default -> Optional.empty();
    });
  }

  /** parameters x bytes per parameter, rounded up to a whole byte. */
  public static long weightBytes(long parameters, double bytesPerParameter) {
    return (long) Math.ceil(parameters * bytesPerParameter);
  }

  /** 2 x layers x KV heads x head dim x context x batch x bytes per element. */
  public static long kvCacheBytes(KvCacheShape shape, int contextLength, int batchSize, int bytesPerElement) {
    long perToken = Math.multiplyExact(
        Math.multiplyExact(2L * shape.layers(), (long) shape.kvHeads()), (long) shape.headDim());
    return Math.multiplyExact(
        Math.multiplyExact(Math.multiplyExact(perToken, (long) contextLength), (long) batchSize),
        (long) bytesPerElement);
  }

  /** Spells out the KV-cache product, for the estimate's basis. */
  public static String kvCacheBasis(KvCacheShape shape, int contextLength, int batchSize, int bytesPerElement) {
    return "2 x " + shape.layers() + " layers x " + shape.kvHeads() + " KV heads x " + shape.headDim()
        + " head dim x " + contextLength + " tokens x " + batchSize + " sequences x " + bytesPerElement + " bytes";
  }

  /** Memory the GPUs offer to a model: their total times {@link #GPU_MEMORY_UTILIZATION}. */
  public static long usableBytes(HardwareProfile hardware) {
    return (long) Math.floor(hardware.totalMemoryBytes() * GPU_MEMORY_UTILIZATION);
  }

  public static HardwareFit fit(MemoryEstimate estimate, HardwareProfile hardware) {
    if (hardware.gpuCount() == 0) {
      return HardwareFit.unknown("no GPUs are configured; the model needs " + gib(estimate.totalBytes()));
    }
    long required = estimate.totalBytes();
    long usable = usableBytes(hardware);
    String gpus = hardware.gpuCount() + " x " + gib(hardware.memoryPerGpuBytes()) + " at "
        + Math.round(GPU_MEMORY_UTILIZATION * 100) + "% = " + gib(usable);
    String need = gib(estimate.weightBytes()) + " weights + " + gib(estimate.kvCacheBytes()) + " KV cache ("
        + estimate.contextLength() + " tokens x " + estimate.batchSize() + ") = " + gib(required);
    return required <= usable
        ? new HardwareFit(HardwareFit.Verdict.FITS, required, usable, need + " fits in " + gpus)
        : new HardwareFit(HardwareFit.Verdict.DOES_NOT_FIT, required, usable,
            need + " does not fit in " + gpus + "; use more or larger GPUs, a shorter context, or a quantized variant");
  }

  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) HardwareProfile.GIB);
  }
}
