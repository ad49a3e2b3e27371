package dev.airlock.vault.signing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

/**
 * The models signed by the OpenSSF Model Signing reference tool, copied into test resources
 * (see src/test/resources/oms/README.md).
 */
final class Corpus {
  static final String V101_KEY = "v1.0.1-elliptic-key";
  static final String V110_KEY = "v1.1.0-elliptic-key";
  static final String V101_CERT = "v1.0.1-certificate";
  static final String V110_CERT = "v1.1.0-certificate";
  static final List<String> ALL = List.of(V101_KEY, V110_KEY, V101_CERT, V110_CERT);
  static final List<String> SIGNED_FILES = List.of("signme-1", "signme-2");
  /** Not signed by any of the four; the reference verifier is told to ignore it. */
  static final String IGNORE_ME = "ignore-me";
  /** Inside the corpus certificates' validity (2025-05-02 to 2035-04-30). */
  static final Clock DURING_VALIDITY = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

  private Corpus() {}

  static Path root() {
    try {
      return Path.of(Corpus.class.getResource("/oms").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path model(String name) {
    return root().resolve(name);
  }

  static Path publicKeyPem() {
    return root().resolve("keys/signing-key-pub.pem");
  }

  static Path rootCaPem() {
    return root().resolve("keys/ca-cert.pem");
  }

  static boolean isCertificate(String name) {
    return name.endsWith("-certificate");
  }

  static ModelVerifier verifierFor(String name) throws IOException {
    if (isCertificate(name)) {
      List<X509Certificate> roots = ModelVerifier.readCertificates(rootCaPem());
      return ModelVerifier.withTrustedRoots(roots, DURING_VALIDITY);
    }
    return ModelVerifier.withKey(VerifyingKey.fromPem(publicKeyPem()));
  }

  /** A writable copy of a corpus model, for tampering. */
  static Path copy(String name, Path into) {
    Path target = into.resolve(name);
    try (Stream<Path> files = Files.list(model(name))) {
      Files.createDirectories(target);
      for (Path f : files.toList()) {
        Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        target.resolve(f.getFileName()).toFile().setWritable(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }
}
