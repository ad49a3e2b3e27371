package dev.airlock.vault.metadata;

/**
 * Memory a model needs to serve: its weights plus the KV cache for the configured context and
 * batch. Each part says how it was obtained, so the number can be checked by hand.
 */
public record MemoryEstimate(
    long weightBytes, String weightBasis, long kvCacheBytes, String kvCacheBasis, int contextLength, int batchSize) {

  public long totalBytes() {
    return Math.addExact(weightBytes, kvCacheBytes);
  }
}
