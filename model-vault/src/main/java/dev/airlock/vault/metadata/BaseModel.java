package dev.airlock.vault.metadata;

import java.util.Optional;

/**
 * A parent model the model names: the card's {@code base_model} (with
 * {@code base_model_relation}) or a GGUF {@code general.base_model.N.*}.
 *
 * @param name a model id such as {@code meta-llama/Llama-3.1-8B}, or a GGUF parent's name
 * @param relation adapter, merge, quantized or finetune, when the card says
 */
public record BaseModel(
    String name, Optional<String> organization, Optional<String> repoUrl, Optional<String> relation, Evidence evidence) {}
