package dev.airlock.license;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Test data: the shared real-world corpus (when the checkout has it) and our own fixtures. */
final class Corpus {
  private Corpus() {}

  /**
   * {@code ../shared/corpus/<folder>} next to the repository, when present. A fresh clone has no
   * such folder: tests that need it skip, saying so.
   */
  static Optional<Path> shared(String folder) {
    Path dir = Path.of("").toAbsolutePath();
    for (int up = 0; up < 4 && dir != null; up++, dir = dir.getParent()) {
      Path candidate = dir.resolve("../shared/corpus").resolve(folder).normalize();
      if (Files.isDirectory(candidate)) return Optional.of(candidate);
    }
    return Optional.empty();
  }

  static final String NO_SHARED = "the shared corpus (../shared/corpus next to the repository) is not present in this checkout";

  /** A fixture model directory under {@code src/test/resources/fixtures/models/}. */
  static Path model(String name) {
    try {
      return Path.of(Corpus.class.getResource("/fixtures/models/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("no fixture model named " + name, e);
    }
  }

  /** A license text Airlock ships, by file name. */
  static String shippedText(String file) {
    try (var in = Corpus.class.getResourceAsStream("/dev/airlock/license/catalog/texts/" + file)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException | NullPointerException e) {
      throw new IllegalStateException("no shipped text " + file, e);
    }
  }
}
