package dev.airlock.vault.metadata;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * Where a fact was read, so that a reviewer can check it: the file (relative to the model
 * directory), the 1-based line for text files, a locator for binary ones (e.g. the GGUF key), and
 * the excerpt as written.
 */
public record Evidence(String file, OptionalInt line, String locator, String excerpt) {
  public Evidence {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(line, "line");
    Objects.requireNonNull(locator, "locator");
    Objects.requireNonNull(excerpt, "excerpt");
  }

  /** A fact read from a line of a text file. */
  public static Evidence atLine(String file, int line, String excerpt) {
    return new Evidence(file, OptionalInt.of(line), "line " + line, excerpt);
  }

  /** A fact read from a binary file, located by a name within it (a key, a tensor). */
  public static Evidence at(String file, String locator, String excerpt) {
    return new Evidence(file, OptionalInt.empty(), locator, excerpt);
  }

  @Override
  public String toString() {
    return file + (line.isPresent() ? ":" + line.getAsInt() : " (" + locator + ")") + ": " + excerpt;
  }
}
