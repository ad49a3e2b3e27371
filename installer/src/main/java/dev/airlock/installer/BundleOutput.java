package dev.airlock.installer;

import dev.airlock.vault.bundle.BundleManifest;
import dev.airlock.vault.bundle.BundleRejectedException;
import java.io.PrintWriter;
import java.util.Locale;

/** How the bundle commands print a manifest and a refusal. */
final class BundleOutput {
  private BundleOutput() {}

  static void summary(PrintWriter out, BundleManifest m) {
    out.println("  model:     " + m.modelName() + " " + m.modelVersion());
    out.println("  publisher: " + m.publisher() + " (origin " + m.originCountry() + ")");
    m.source().ifPresent(s -> out.println("  source:    " + s));
    out.println("  bundle id: " + m.bundleId() + ", created " + m.created());
    out.println("  files:     " + m.files().size() + ", " + m.totalBytes() + " bytes");
  }

  /** An I/O failure in words: a missing file is named as such. */
  static String describe(java.io.IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException n) return "no such file: " + n.getFile();
    if (e instanceof java.nio.file.AccessDeniedException a) return "permission denied: " + a.getFile();
    return String.valueOf(e.getMessage());
  }

  static String problem(BundleRejectedException e) {
    return e.problem().name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}
