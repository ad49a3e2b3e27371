package dev.airlock.vault.catalog;

import dev.airlock.vault.metadata.ModelMetadata;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** The facts about a version's files the catalog keeps, learned at import by the ModelInspector. */
public record ModelFacts(
    String weightFormat,
    Optional<String> architecture,
    Optional<String> modelType,
    OptionalLong parameterCount,
    Optional<String> declaredDtype,
    Optional<String> quantization,
    OptionalInt quantizationBits,
    OptionalInt contextLength,
    boolean needsRemoteCode,
    boolean hasPickleWeights,
    List<Risk> risks) {

  /** Content that can run code when the model is loaded. */
  public record Risk(String kind, String file, String reason) {}

  public ModelFacts {
    risks = List.copyOf(risks);
  }

  public static ModelFacts of(ModelMetadata m) {
    return new ModelFacts(m.format().name(), m.architecture(), m.modelType(), m.parameterCount(),
        m.declaredDtype(), m.quantization().map(q -> q.method()),
        m.quantization().map(q -> q.bits()).orElse(OptionalInt.empty()), m.contextLength(),
        m.needsRemoteCode(), m.hasPickleWeights(),
        m.risks().stream().map(r -> new Risk(r.kind().name(), r.file(), r.reason())).toList());
  }
}
