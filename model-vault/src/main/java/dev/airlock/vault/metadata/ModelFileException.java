package dev.airlock.vault.metadata;

import java.io.IOException;

/**
 * A file in a model directory is not what its name promises (a truncated header, a length that
 * lies, junk where JSON or YAML should be, a shard that is missing). The message names the file,
 * what was expected, what was found, and what to do.
 */
public final class ModelFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String file;

  public ModelFileException(String file, String message) {
    super(file + ": " + message);
    this.file = file;
  }

  public ModelFileException(String file, String message, Throwable cause) {
    super(file + ": " + message, cause);
    this.file = file;
  }

  /** The file at fault, relative to the model directory where known. */
  public String file() {
    return file;
  }
}
