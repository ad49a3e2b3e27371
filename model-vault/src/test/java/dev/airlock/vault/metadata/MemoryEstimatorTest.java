package dev.airlock.vault.metadata;

import static dev.airlock.vault.metadata.HardwareProfile.GIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The memory arithmetic on a Llama-3.1-8B-shaped model, worked by hand. */
class MemoryEstimatorTest {
  // Llama 3.1 8B: 32 layers, hidden 4096, 32 heads, 8 KV heads, FFN 14336, vocab 128256, bf16.
  static final long EMBED = 128_256L * 4096; // 525,336,576 (and the same again for lm_head)
  static final long PER_LAYER = 4096L * 4096 * 2 // q and o projections
      + 4096L * 1024 * 2 // k and v: 8 KV heads x 128 = 1024
      + 4096L * 14_336 * 3 // gate, up, down
      + 4096L * 2; // two RMS norms
  static final long LLAMA_31_8B_PARAMETERS = 2 * EMBED + 32 * PER_LAYER + 4096;
  static final KvCacheShape LLAMA_31_8B_KV = new KvCacheShape(32, 8, 128);

  @Test
  void parameterCountOfLlama31_8bIsItsPublishedSize() {
    assertThat(PER_LAYER).isEqualTo(218_112_000L);
    assertThat(LLAMA_31_8B_PARAMETERS).isEqualTo(8_030_261_248L);
  }

  @Test
  void weightsAreParametersTimesBytesPerParameter() {
    double bf16 = MemoryEstimator.bytesPerParameter(Optional.of("bfloat16"), Optional.empty()).orElseThrow();
    assertThat(bf16).isEqualTo(2.0);
    // 8,030,261,248 x 2 = 16,060,522,496 bytes (14.96 GiB)
    assertThat(MemoryEstimator.weightBytes(LLAMA_31_8B_PARAMETERS, bf16)).isEqualTo(16_060_522_496L);
  }

  @Test
  void quantizationBitsOverrideTheDtype() {
    Quantization awq4 = new Quantization("awq", OptionalInt.of(4), Evidence.at("config.json", "quantization_config", "awq"));
    double perParam = MemoryEstimator.bytesPerParameter(Optional.of("float16"), Optional.of(awq4)).orElseThrow();
    assertThat(perParam).isEqualTo(0.5);
    // 8,030,261,248 x 0.5 = 4,015,130,624 bytes
    assertThat(MemoryEstimator.weightBytes(LLAMA_31_8B_PARAMETERS, perParam)).isEqualTo(4_015_130_624L);
    assertThat(MemoryEstimator.bytesPerParameter(Optional.of("mystery"), Optional.empty())).isEmpty();
  }

  @Test
  void kvCacheAt8kContextIsOneGibibyte() {
    // 2 (K and V) x 32 layers x 8 KV heads x 128 head dim x 8192 tokens x 1 sequence x 2 bytes
    //   = 131,072 bytes per token x 8192 = 1,073,741,824 bytes = 1 GiB
    assertThat(MemoryEstimator.kvCacheBytes(LLAMA_31_8B_KV, 8192, 1, 2)).isEqualTo(1_073_741_824L);
    assertThat(MemoryEstimator.kvCacheBasis(LLAMA_31_8B_KV, 8192, 1, 2))
        .isEqualTo("2 x 32 layers x 8 KV heads x 128 head dim x 8192 tokens x 1 sequences x 2 bytes");
    // the full 128k context and 4 sequences: 16 GiB x 4 = 64 GiB
    assertThat(MemoryEstimator.kvCacheBytes(LLAMA_31_8B_KV, 131_072, 4, 2)).isEqualTo(64 * GIB);
  }

  @Test
  void fitsOne24GibGpuButNotOne16GibGpuAt8k() {
    MemoryEstimate e = new MemoryEstimate(16_060_522_496L, "weights", 1_073_741_824L, "kv", 8192, 1);
    // 16,060,522,496 + 1,073,741,824 = 17,134,264,320 bytes (15.96 GiB)
    assertThat(e.totalBytes()).isEqualTo(17_134_264_320L);

    // 24 GiB x 0.90 = 23,192,823,398 usable bytes: fits
    HardwareFit big = MemoryEstimator.fit(e, HardwareProfile.gpus(1, 24 * GIB));
    assertThat(big.verdict()).isEqualTo(HardwareFit.Verdict.FITS);
    assertThat(big.usableBytes()).isEqualTo(23_192_823_398L);
    assertThat(big.reason()).isEqualTo(
        "14.96 GiB weights + 1.00 GiB KV cache (8192 tokens x 1) = 15.96 GiB fits in 1 x 24.00 GiB at 90% = 21.60 GiB");

    // 16 GiB x 0.90 = 15,461,882,265 usable bytes: 1.67 GB short
    HardwareFit small = MemoryEstimator.fit(e, HardwareProfile.gpus(1, 16 * GIB));
    assertThat(small.verdict()).isEqualTo(HardwareFit.Verdict.DOES_NOT_FIT);
    assertThat(small.usableBytes()).isEqualTo(15_461_882_265L);
    assertThat(small.reason()).endsWith(
        "does not fit in 1 x 16.00 GiB at 90% = 14.40 GiB; use more or larger GPUs, a shorter context, or a quantized variant");
  }

  @Test
  void twoGpusPoolTheirMemory() {
    // at the full 131,072-token context the KV cache is 16 GiB: 14.96 + 16 = 30.96 GiB
    MemoryEstimate e = new MemoryEstimate(16_060_522_496L, "weights",
        MemoryEstimator.kvCacheBytes(LLAMA_31_8B_KV, 131_072, 1, 2), "kv", 131_072, 1);
    assertThat(MemoryEstimator.fit(e, HardwareProfile.gpus(1, 24 * GIB)).verdict()).isEqualTo(HardwareFit.Verdict.DOES_NOT_FIT);
    // 2 x 24 GiB x 0.90 = 43.2 GiB
    assertThat(MemoryEstimator.fit(e, HardwareProfile.gpus(2, 24 * GIB)).verdict()).isEqualTo(HardwareFit.Verdict.FITS);
  }

  @Test
  void withoutGpusTheFitIsUnknownButTheNeedIsStated() {
    MemoryEstimate e = new MemoryEstimate(16_060_522_496L, "weights", 1_073_741_824L, "kv", 8192, 1);
    HardwareFit fit = MemoryEstimator.fit(e, HardwareProfile.none());
    assertThat(fit.verdict()).isEqualTo(HardwareFit.Verdict.UNKNOWN);
    assertThat(fit.reason()).isEqualTo("no GPUs are configured; the model needs 15.96 GiB");
  }
}
