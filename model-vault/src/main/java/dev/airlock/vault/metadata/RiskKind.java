package dev.airlock.vault.metadata;

/** Kinds of content that can run code when a model is loaded. */
public enum RiskKind {
  /** Python pickle (PyTorch .bin/.pt/.pth, .pkl, .ckpt): unpickling can run arbitrary code. */
  PICKLE_WEIGHTS,
  /** Python source shipped with the model. */
  PYTHON_CODE,
  /** The model's config asks loaders to import its own code ({@code auto_map}, trust_remote_code). */
  REMOTE_CODE
}
