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

  static String problem(BundleRejectedException e) {
    return e.problem().name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}
