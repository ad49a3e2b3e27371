package dev.airlock.vault.metadata;

/** The dimensions that size a model's KV cache. */
public record KvCacheShape(int layers, int kvHeads, int headDim) {
  public KvCacheShape {
    if (layers < 1 || kvHeads < 1 || headDim < 1) {
      throw new IllegalArgumentException(
          "layers, KV heads and head dimension are at least 1, got " + layers + ", " + kvHeads + ", " + headDim);
    }
  }
}
