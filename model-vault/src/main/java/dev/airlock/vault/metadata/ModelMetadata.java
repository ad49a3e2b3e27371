package dev.airlock.vault.metadata;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What the vault learns about a model from its files, for policy and hardware fit.
 *
 * @param format how the weights are stored
 * @param architecture config.json's first {@code architectures} entry, else GGUF
 *     {@code general.architecture}
 * @param modelType config.json {@code model_type}
 * @param name GGUF {@code general.name}
 * @param parameterCount parameters from the weight headers: tensor elements, with AWQ/GPTQ
 *     {@code .qweight} elements unpacked (32 / bits each) and their zeros and scales left out
 * @param parametersByDtype tensor elements per stored dtype (safetensors dtype or ggml type)
 * @param declaredDtype config.json {@code torch_dtype} / {@code dtype}
 * @param quantization from config.json {@code quantization_config} or GGUF {@code general.file_type}
 * @param contextLength the model's maximum context (config {@code max_position_embeddings} or GGUF
 *     {@code <arch>.context_length})
 * @param licenseFields license statements from the card and GGUF headers, with evidence
 * @param baseModels parent models from the card and GGUF headers, with evidence
 * @param risks content that can run code when loaded
 * @param memory the estimate, when weights and KV-cache dimensions are known
 * @param fit whether it fits the configured GPUs
 * @param card the model card's front matter, when there is a README.md
 * @param config config.json, when present
 * @param weightFiles the weight files the estimate and counts come from
 */
public record ModelMetadata(
    ModelFormat format,
    Optional<String> architecture,
    Optional<String> modelType,
    Optional<String> name,
    OptionalLong parameterCount,
    Map<String, Long> parametersByDtype,
    Optional<String> declaredDtype,
    Optional<Quantization> quantization,
    OptionalInt contextLength,
    List<LicenseField> licenseFields,
    List<BaseModel> baseModels,
    List<RiskFinding> risks,
    Optional<MemoryEstimate> memory,
    HardwareFit fit,
    Optional<ModelCard> card,
    Optional<ModelConfig> config,
    List<String> weightFiles) {
  public ModelMetadata {
    parametersByDtype = Map.copyOf(parametersByDtype);
    licenseFields = List.copyOf(licenseFields);
    baseModels = List.copyOf(baseModels);
    risks = List.copyOf(risks);
    weightFiles = List.copyOf(weightFiles);
  }

  /** Whether loading needs {@code trust_remote_code} (an {@code auto_map} in a config). */
  public boolean needsRemoteCode() {
    return risks.stream().anyMatch(r -> r.kind() == RiskKind.REMOTE_CODE);
  }

  public boolean hasPickleWeights() {
    return risks.stream().anyMatch(r -> r.kind() == RiskKind.PICKLE_WEIGHTS);
  }
}
