package dev.airlock.vault.metadata;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The header of one safetensors file: its tensors and its free-form {@code __metadata__}.
 *
 * @param file the file's name as reported in messages
 * @param headerLength the JSON header's length in bytes (after the 8-byte length prefix)
 */
public record SafetensorsHeader(
    String file, long headerLength, long fileSize, List<SafetensorsTensor> tensors, Map<String, String> metadata) {
  public SafetensorsHeader {
    tensors = List.copyOf(tensors);
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  public long parameterCount() {
    long n = 0;
    for (SafetensorsTensor t : tensors) n = Math.addExact(n, t.elementCount());
    return n;
  }

  /** Bytes of tensor data the header accounts for. */
  public long tensorBytes() {
    long n = 0;
    for (SafetensorsTensor t : tensors) n = Math.addExact(n, t.byteLength());
    return n;
  }

  /** Elements per dtype, e.g. {BF16=8030261248}. */
  public Map<String, Long> parametersByDtype() {
    Map<String, Long> out = new TreeMap<>();
    for (SafetensorsTensor t : tensors) out.merge(t.dtype(), t.elementCount(), Math::addExact);
    return out;
  }
}
