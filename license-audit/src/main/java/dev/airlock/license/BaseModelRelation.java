package dev.airlock.license;

import java.util.Locale;
import java.util.Optional;

/**
 * How a model derives from its base. The first four are the values of the Hugging Face model
 * card's {@code base_model_relation}; distillation is named in cards' prose and in SBOMs.
 */
public enum BaseModelRelation {
  FINETUNE,
  ADAPTER,
  QUANTIZED,
  MERGE,
  DISTILLATION,
  /** A base is named but the relation is not. Treated like a fine-tune: the base's license binds. */
  UNSPECIFIED;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The relation in words, as in "a fine-tune of meta-llama/Llama-3.1-8B". */
  public String describe() {
    return switch (this) {
      case FINETUNE -> "fine-tune";
      case ADAPTER -> "adapter";
      case QUANTIZED -> "quantization";
      case MERGE -> "merge";
      case DISTILLATION -> "distillation";
      case UNSPECIFIED -> "derivative";
    };
  }

  /** Reads a card's or SBOM's spelling ({@code finetune}, {@code fine-tune}, {@code quantized}, ...). */
  public static Optional<BaseModelRelation> parse(String s) {
    String k = s.strip().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    return switch (k) {
      case "finetune", "finetuned" -> Optional.of(FINETUNE);
      case "adapter", "lora" -> Optional.of(ADAPTER);
      case "quantized", "quantization", "quantised" -> Optional.of(QUANTIZED);
      case "merge", "merged" -> Optional.of(MERGE);
      case "distillation", "distilled", "distill" -> Optional.of(DISTILLATION);
      default -> Optional.empty();
    };
  }
}
