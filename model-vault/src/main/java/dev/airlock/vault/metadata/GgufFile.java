package dev.airlock.vault.metadata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a GGUF header says: its version, metadata key/values in file order, tensor infos, and
 * where tensor data starts. Tensor data itself is never read.
 *
 * @param file the file's name as reported in evidence (relative to the model directory)
 * @param fileSize the file's size in bytes
 * @param dataOffset the absolute offset of the tensor data section
 */
public record GgufFile(
    String file,
    int version,
    Map<String, GgufValue> metadata,
    List<GgufTensorInfo> tensors,
    long alignment,
    long dataOffset,
    long fileSize) {

  /** The default alignment of tensor data when {@code general.alignment} is absent. */
  public static final int DEFAULT_ALIGNMENT = 32;

  public GgufFile {
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    tensors = List.copyOf(tensors);
  }

  public Optional<GgufValue> value(String key) {
    return Optional.ofNullable(metadata.get(key));
  }

  public Optional<String> string(String key) {
    return value(key).flatMap(GgufValue::asString);
  }

  /** An integer value of any width; absent if the key is missing or not an integer. */
  public OptionalLong integer(String key) {
    return value(key).map(GgufValue::asLong).orElse(OptionalLong.empty());
  }

  /** Where {@code key} was read, for a reviewer: file, key and value as written. */
  public Optional<Evidence> evidence(String key) {
    return value(key).map(v -> Evidence.at(file, "GGUF key " + key, key + " = " + v.excerpt()));
  }

  public Optional<String> architecture() {
    return string("general.architecture");
  }

  public Optional<String> name() {
    return string("general.name");
  }

  /** {@code general.license}: an SPDX expression, or a name for licenses outside SPDX. */
  public Optional<String> license() {
    return string("general.license");
  }

  /** {@code general.license.name}: a human-readable name for a license outside SPDX. */
  public Optional<String> licenseName() {
    return string("general.license.name");
  }

  /** {@code general.license.link}: where the license text is. */
  public Optional<String> licenseLink() {
    return string("general.license.link");
  }

  /** The {@code general.file_type} value, if present. */
  public OptionalLong fileType() {
    return integer("general.file_type");
  }

  /** The quantization name of {@code general.file_type} (e.g. Q4_K_M), if present and known. */
  public Optional<String> fileTypeName() {
    OptionalLong ft = fileType();
    return ft.isPresent() ? GgufFileType.name(ft.getAsLong()) : Optional.empty();
  }

  /** A per-architecture key such as {@code llama.context_length}, given its suffix. */
  public OptionalLong architectureInteger(String suffix) {
    return architecture().map(a -> integer(a + "." + suffix)).orElse(OptionalLong.empty());
  }

  public OptionalLong contextLength() {
    return architectureInteger("context_length");
  }

  public OptionalLong blockCount() {
    return architectureInteger("block_count");
  }

  public OptionalLong embeddingLength() {
    return architectureInteger("embedding_length");
  }

  public OptionalLong headCount() {
    return architectureInteger("attention.head_count");
  }

  /** KV heads; GGUF omits the key when it equals the head count (no grouped-query attention). */
  public OptionalLong headCountKv() {
    OptionalLong kv = architectureInteger("attention.head_count_kv");
    return kv.isPresent() ? kv : headCount();
  }

  /** Per-head key width; defaults to embedding length / head count as llama.cpp does. */
  public OptionalLong keyLength() {
    OptionalLong k = architectureInteger("attention.key_length");
    if (k.isPresent()) return k;
    OptionalLong e = embeddingLength();
    OptionalLong h = headCount();
    return e.isPresent() && h.isPresent() && h.getAsLong() > 0
        ? OptionalLong.of(e.getAsLong() / h.getAsLong())
        : OptionalLong.empty();
  }

  /**
   * The parent models named by {@code general.base_model.count} and
   * {@code general.base_model.N.name / organization / repo_url}.
   */
  public List<GgufBaseModel> baseModels() {
    long count = integer("general.base_model.count").orElse(0);
    List<GgufBaseModel> out = new ArrayList<>();
    for (long i = 0; i < count && i < metadata.size(); i++) {
      String prefix = "general.base_model." + i + ".";
      Optional<String> name = string(prefix + "name");
      Optional<String> org = string(prefix + "organization");
      Optional<String> repo = string(prefix + "repo_url");
      if (name.isEmpty() && org.isEmpty() && repo.isEmpty()) continue;
      String key = name.isPresent() ? prefix + "name" : repo.isPresent() ? prefix + "repo_url" : prefix + "organization";
      out.add(new GgufBaseModel((int) i, name, org, repo, evidence(key).orElseThrow()));
    }
    return out;
  }

  /** Sum of every tensor's element count. */
  public long parameterCount() {
    long n = 0;
    for (GgufTensorInfo t : tensors) n = Math.addExact(n, t.elementCount());
    return n;
  }

  /** Bytes of tensor data: from the data section's start to the end of the file. */
  public long tensorDataBytes() {
    return Math.max(0, fileSize - dataOffset);
  }

  /** One parent model named in a GGUF header. */
  public record GgufBaseModel(
      int index,
      Optional<String> name,
      Optional<String> organization,
      Optional<String> repoUrl,
      Evidence evidence) {}
}
