package dev.airlock.vault.metadata;

import java.util.List;
import java.util.Optional;

/**
 * One tensor as a GGUF header describes it: name, dimensions (innermost first, as ggml orders
 * them), the ggml type id, and the data offset relative to the start of the tensor data.
 */
public record GgufTensorInfo(String name, List<Long> dimensions, int typeId, long offset) {
  public GgufTensorInfo {
    dimensions = List.copyOf(dimensions);
  }

  /** The element type, if Airlock knows the id (new ggml types appear now and then). */
  public Optional<GgmlType> type() {
    return GgmlType.ofId(typeId);
  }

  /** The type's name, or {@code type#N} for an id Airlock does not know. */
  public String typeName() {
    return type().map(Enum::name).orElse("type#" + typeId);
  }

  /** Number of elements: the product of the dimensions (checked, never overflows silently). */
  public long elementCount() {
    long n = 1;
    for (long d : dimensions) n = Math.multiplyExact(n, d);
    return n;
  }
}
