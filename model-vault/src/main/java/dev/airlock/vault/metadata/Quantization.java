package dev.airlock.vault.metadata;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * How a model's weights are quantized, as the model says so itself.
 *
 * @param method lower case: {@code awq}, {@code gptq}, {@code fp8}, {@code bitsandbytes},
 *     {@code compressed-tensors}, ... from config.json; for GGUF the file type, e.g. {@code Q4_K_M}
 * @param bits weight bits where stated (4 for AWQ/GPTQ 4-bit, 8 for FP8)
 * @param evidence where it was read
 */
public record Quantization(String method, OptionalInt bits, Evidence evidence) {
  public Quantization {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(bits, "bits");
    Objects.requireNonNull(evidence, "evidence");
  }
}
