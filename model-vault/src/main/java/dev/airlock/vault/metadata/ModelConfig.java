package dev.airlock.vault.metadata;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a Hugging Face {@code config.json} says about a model. Dimensions come from
 * {@code text_config} when the top level lacks them (multimodal models nest their language model).
 *
 * @param dtype {@code torch_dtype} or its newer name {@code dtype}, e.g. {@code bfloat16}
 * @param autoMap {@code auto_map}: Auto class to custom code reference; non-empty means loading
 *     runs code shipped with the model ({@code trust_remote_code})
 * @param headDim {@code head_dim}, or hidden_size / num_attention_heads
 */
public record ModelConfig(
    List<String> architectures,
    Optional<String> modelType,
    Optional<String> dtype,
    Optional<Quantization> quantization,
    Map<String, String> autoMap,
    OptionalInt maxPositionEmbeddings,
    OptionalInt numHiddenLayers,
    OptionalInt numAttentionHeads,
    OptionalInt numKeyValueHeads,
    OptionalInt hiddenSize,
    OptionalInt headDim) {
  public ModelConfig {
    architectures = List.copyOf(architectures);
    autoMap = Map.copyOf(autoMap);
  }

  /** Whether loading this model needs {@code trust_remote_code}. */
  public boolean needsRemoteCode() {
    return !autoMap.isEmpty();
  }
}
