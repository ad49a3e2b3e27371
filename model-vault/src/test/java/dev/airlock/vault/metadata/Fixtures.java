package dev.airlock.vault.metadata;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Test resources under {@code metadata/}. */
final class Fixtures {
  private Fixtures() {}

  static Path resource(String name) {
    try {
      return Path.of(Fixtures.class.getResource("/metadata/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource metadata/" + name, e);
    }
  }
}
