package dev.airlock.installer;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Turns --ignore-paths arguments into paths relative to the model directory. */
final class ModelPaths {
  private ModelPaths() {}

  /**
   * A path that names something inside the model directory from the current directory (as the
   * reference tool takes them, e.g. {@code model/ignore-me}) is made relative to the model; any
   * other relative path is taken as relative to the model directory already. For a model that is
   * a single file the paths are passed on as given, for the signer or verifier to refuse.
   */
  static List<String> relativeIgnores(Path modelDir, List<Path> ignorePaths) {
    if (Files.isRegularFile(modelDir, LinkOption.NOFOLLOW_LINKS)) {
      return ignorePaths.stream().map(ModelPaths::toPosix).toList();
    }
    Path dir = modelDir.toAbsolutePath().normalize();
    List<String> relative = new ArrayList<>();
    for (Path p : ignorePaths) {
      Path abs = p.toAbsolutePath().normalize();
      if (abs.startsWith(dir) && !abs.equals(dir)) {
        relative.add(toPosix(dir.relativize(abs)));
      } else if (p.isAbsolute()) {
        throw new IllegalArgumentException("--ignore-paths " + p + " is not inside the model"
            + " directory " + modelDir + "; give paths inside it, or relative to it");
      } else {
        relative.add(toPosix(p.normalize()));
      }
    }
    return relative;
  }

  private static String toPosix(Path p) {
    return p.toString().replace('\\', '/');
  }
}
