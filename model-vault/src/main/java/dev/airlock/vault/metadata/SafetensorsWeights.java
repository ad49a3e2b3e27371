package dev.airlock.vault.metadata;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * All safetensors weights of a model directory: the shards an index names, or else every
 * {@code *.safetensors} file at the top of the directory.
 *
 * @param index the index file's name, when the model is sharded through one
 */
public record SafetensorsWeights(List<SafetensorsHeader> files, Optional<String> index) {
  public SafetensorsWeights {
    files = List.copyOf(files);
  }

  public long parameterCount() {
    long n = 0;
    for (SafetensorsHeader h : files) n = Math.addExact(n, h.parameterCount());
    return n;
  }

  public long tensorBytes() {
    long n = 0;
    for (SafetensorsHeader h : files) n = Math.addExact(n, h.tensorBytes());
    return n;
  }

  public Map<String, Long> parametersByDtype() {
    Map<String, Long> out = new TreeMap<>();
    for (SafetensorsHeader h : files) h.parametersByDtype().forEach((k, v) -> out.merge(k, v, Math::addExact));
    return out;
  }
}
