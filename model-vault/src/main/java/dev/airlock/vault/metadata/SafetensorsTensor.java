package dev.airlock.vault.metadata;

import java.util.List;

/** One tensor as a safetensors header describes it; offsets are relative to the data section. */
public record SafetensorsTensor(String name, String dtype, List<Long> shape, long begin, long end) {
  public SafetensorsTensor {
    shape = List.copyOf(shape);
  }

  /** Product of the shape (1 for a scalar), checked against overflow. */
  public long elementCount() {
    long n = 1;
    for (long d : shape) n = Math.multiplyExact(n, d);
    return n;
  }

  public long byteLength() {
    return end - begin;
  }
}
