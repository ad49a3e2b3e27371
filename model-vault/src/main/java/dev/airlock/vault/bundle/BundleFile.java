package dev.airlock.vault.bundle;

import dev.airlock.vault.Sha256;

/** One file the manifest declares: its path inside the bundle, its size and its SHA-256. */
public record BundleFile(String path, long size, Sha256 sha256) {
  public BundleFile {
    BundlePaths.requireSafe(path);
    if (size < 0) throw new IllegalArgumentException("a file size is never negative: " + path);
  }

  /** True for files of the model directory (as opposed to the SBOM). */
  public boolean isModelFile() {
    return path.startsWith(BundlePaths.MODEL_DIR);
  }

  /** The path inside the model directory, for model files. */
  public String modelPath() {
    return isModelFile() ? path.substring(BundlePaths.MODEL_DIR.length()) : path;
  }
}
