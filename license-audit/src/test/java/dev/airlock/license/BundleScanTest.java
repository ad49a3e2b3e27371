package dev.airlock.license;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.vault.Progress;
import dev.airlock.vault.bundle.BundleWriter;
import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.SigningKey;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bundle is scanned like the model directory it carries, with evidence named by bundle paths. */
class BundleScanTest {
  @TempDir Path dir;

  private Path bundleOf(String fixture, Optional<Path> sbom, boolean withoutFixtureSbom) throws IOException {
    Path model = Files.createDirectories(dir.resolve("model-" + fixture));
    try (Stream<Path> files = Files.list(Corpus.model(fixture))) {
      for (Path f : files.toList()) {
        if (withoutFixtureSbom && f.getFileName().toString().contains("spdx")) continue;
        Files.copy(f, model.resolve(f.getFileName()));
      }
    }
    Files.write(model.resolve("model.safetensors"), new byte[4096]);
    Path bundle = dir.resolve(fixture + ".airlock");
    try (OutputStream out = Files.newOutputStream(bundle)) {
      BundleWriter.write(model, sbom, new BundleWriter.Description(fixture, "1.0", "Example Labs", "FR", Optional.empty()),
          SigningKey.generate(Curve.P256), Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC), out, Progress.NONE);
    }
    return bundle;
  }

  @Test
  void bundleIsScannedLikeItsModelDirectoryWithBundlePathsAsEvidence() throws IOException {
    LicenseReport r = LicenseAudit.scan(bundleOf("mit-llama-distill", Optional.empty(), false));

    assertThat(r.model()).isEqualTo("mit-llama-distill.airlock");
    assertThat(r.effectiveLicenses()).extracting(EffectiveLicense::id)
        .containsExactly("MIT", "LicenseRef-scancode-llama-3.1-license-2024");
    assertThat(r.findings(FindingCode.LICENSE_INHERITED)).singleElement()
        .satisfies(f -> assertThat(f.evidence().get(0).file()).isEqualTo("model/README.md"));
    assertThat(r.findings(FindingCode.LICENSE_TEXT_IDENTIFIED)).singleElement()
        .satisfies(f -> assertThat(f.evidence().get(0).file()).isEqualTo("model/LICENSE"));
    assertThat(r.findings(FindingCode.BUNDLE_NOT_VERIFIED)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.INFO);
      assertThat(f.message()).startsWith("scanned from the bundle without checking its transfer signature or file digests: run 'airlock bundle verify'")
          .endsWith("The manifest names mit-llama-distill 1.0 from Example Labs (FR).");
      assertThat(f.evidence().get(0).file()).isEqualTo("bundle/manifest.json");
    });
  }

  @Test
  void sbomCarriedInTheBundleIsRead() throws IOException {
    Path sbom = Corpus.model("qwen3-apache").resolve("model.spdx.json");
    LicenseReport r = LicenseAudit.scan(bundleOf("qwen3-apache", Optional.of(sbom), true));

    assertThat(r.findings(FindingCode.LICENSE_DECLARED)).extracting(f -> f.evidence().get(0).file())
        .contains("model/README.md", "sbom/model.spdx.json");
    assertThat(r.lineage()).singleElement().satisfies(l -> assertThat(l.evidence()).extracting(Evidence::file)
        .containsExactly("model/README.md", "sbom/model.spdx.json"));
    assertThat(r.findingsAtLeast(Severity.WARNING)).isEmpty();
  }

  @Test
  void fileThatIsNotABundleIsRefusedSayingSo() throws IOException {
    Path junk = Files.writeString(dir.resolve("model.airlock"), "not a tar at all");

    assertThatThrownBy(() -> LicenseAudit.scan(junk))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(junk + " is not an Airlock bundle: ");
  }
}
