package dev.airlock.vault.metadata;

/** How a model's weights are stored; when several are present, the safest one is reported. */
public enum ModelFormat {
  SAFETENSORS,
  GGUF,
  /** Only pickle-based weights (PyTorch .bin/.pt/.pth and the like). */
  PYTORCH_PICKLE,
  /** No weights found. */
  NONE
}
