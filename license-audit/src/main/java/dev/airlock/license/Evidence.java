package dev.airlock.license;

import java.util.Objects;
import java.util.Optional;

/**
 * What a finding rests on: a file (relative to the scanned model directory), where in it, and the
 * words found there.
 *
 * @param file path relative to the scanned directory, with forward slashes
 * @param position where in the file, when it is known
 * @param excerpt the text found there, shortened to {@link #MAX_EXCERPT} characters
 */
public record Evidence(String file, Optional<Position> position, String excerpt) {
  /** Long enough to recognise a clause, short enough for a console table row. */
  public static final int MAX_EXCERPT = 200;

  public Evidence {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(position, "position");
    excerpt = shorten(Objects.requireNonNullElse(excerpt, ""));
  }

  public static Evidence at(String file, Position position, String excerpt) {
    return new Evidence(file, Optional.of(position), excerpt);
  }

  public static Evidence of(String file, String excerpt) {
    return new Evidence(file, Optional.empty(), excerpt);
  }

  private static String shorten(String s) {
    String oneLine = s.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= MAX_EXCERPT ? oneLine : oneLine.substring(0, MAX_EXCERPT - 1) + "…";
  }

  @Override
  public String toString() {
    return file + position.map(p -> " (" + p + ")").orElse("") + (excerpt.isEmpty() ? "" : ": \"" + excerpt + "\"");
  }
}
