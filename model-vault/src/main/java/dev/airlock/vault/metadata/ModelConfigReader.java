package dev.airlock.vault.metadata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Reads a Hugging Face {@code config.json}. */
public final class ModelConfigReader {
  /** Real configs (and tokenizer configs) are a few KB to a few hundred; more is not a config. */
  public static final long MAX_CONFIG_BYTES = 4L << 20;

  private ModelConfigReader() {}

  public static ModelConfig read(Path file) throws IOException {
    return read(file, String.valueOf(file.getFileName()));
  }

  public static ModelConfig read(Path file, String name) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ModelFileException(name, "no such config file; check the path");
    }
    ObjectNode root = BoundedJson.readObject(file, name, MAX_CONFIG_BYTES, "a model config (config.json)");
    return parse(root, name);
  }

  static ModelConfig parse(ObjectNode root, String name) throws ModelFileException {
    JsonNode text = root.get("text_config");
    JsonNode dims = !root.has("num_hidden_layers") && text != null && text.isObject() ? text : root;

    List<String> architectures = new ArrayList<>();
    JsonNode arch = root.get("architectures");
    if (arch != null && arch.isArray()) {
      for (JsonNode a : arch) if (a.isTextual()) architectures.add(a.asText());
    }
    Optional<String> dtype = text(root, "torch_dtype").or(() -> text(root, "dtype"));
    if (dtype.isEmpty()) dtype = text(dims, "torch_dtype").or(() -> text(dims, "dtype"));

    Map<String, String> autoMap = new LinkedHashMap<>();
    JsonNode am = root.get("auto_map");
    if (am != null && am.isObject()) {
      for (Map.Entry<String, JsonNode> e : am.properties()) {
        // A value is "module.Class" or, for tokenizers, a [slow, fast] pair.
        autoMap.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
      }
    }

    OptionalInt heads = integer(dims, "num_attention_heads");
    OptionalInt hidden = integer(dims, "hidden_size");
    OptionalInt headDim = integer(dims, "head_dim");
    if (headDim.isEmpty() && heads.isPresent() && hidden.isPresent() && heads.getAsInt() > 0) {
      headDim = OptionalInt.of(hidden.getAsInt() / heads.getAsInt());
    }
    OptionalInt kvHeads = integer(dims, "num_key_value_heads");
    if (kvHeads.isEmpty()) kvHeads = heads; // no grouped-query attention: one KV head per head

    return new ModelConfig(
        architectures,
        text(root, "model_type"),
        dtype,
        quantization(root, name),
        autoMap,
        integer(dims, "max_position_embeddings"),
        integer(dims, "num_hidden_layers"),
        heads,
        kvHeads,
        hidden,
        headDim);
  }

  private static Optional<Quantization> quantization(ObjectNode root, String name) {
    JsonNode q = root.get("quantization_config");
    if (q == null || !q.isObject()) return Optional.empty();
    String method = text(q, "quant_method").map(s -> s.toLowerCase(Locale.ROOT)).orElse("unknown");
    OptionalInt bits = OptionalInt.empty();
    JsonNode b = q.get("bits");
    if (b != null && b.canConvertToInt() && b.isIntegralNumber()) bits = OptionalInt.of(b.asInt());
    if (method.equals("bitsandbytes")) {
      if (q.path("load_in_4bit").asBoolean(false)) bits = OptionalInt.of(4);
      else if (q.path("load_in_8bit").asBoolean(false)) bits = OptionalInt.of(8);
    }
    if (method.equals("fp8") && bits.isEmpty()) bits = OptionalInt.of(8);
    String excerpt = "quantization_config.quant_method = " + q.path("quant_method").toString();
    return Optional.of(new Quantization(method, bits, Evidence.at(name, "quantization_config", excerpt)));
  }

  private static Optional<String> text(JsonNode node, String key) {
    JsonNode v = node.get(key);
    return v != null && v.isTextual() && !v.asText().isBlank() ? Optional.of(v.asText()) : Optional.empty();
  }

  private static OptionalInt integer(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) return OptionalInt.empty();
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) return OptionalInt.empty();
    return OptionalInt.of(v.asInt());
  }
}
