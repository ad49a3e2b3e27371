package dev.airlock.license;

import dev.airlock.vault.bundle.BundleFile;
import dev.airlock.vault.bundle.BundleManifest;
import dev.airlock.vault.bundle.BundlePaths;
import dev.airlock.vault.bundle.BundleReader;
import dev.airlock.vault.bundle.BundleRejectedException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Scans a bundle without importing it: the manifest is read (not verified: that is
 * {@code airlock bundle verify}'s job), then only the files a license scan reads are copied out
 * (the model card, license files and SBOMs, each within the size limits), and scanned like a
 * model directory. Weights are skipped, never copied. Evidence names the files by their paths in
 * the bundle.
 */
final class BundleScan {
  /** Names of model files worth copying out of a bundle: the ones {@link LicenseAudit} reads. */
  private static final Pattern WANTED = Pattern.compile(
      "(?i)^((licen[cs]e|copying|notice|use_policy|acceptable[-_]use[-_]policy)([-_.][^/]*)?|(readme|modelcard|model_card)\\.md"
          + "|.*\\.spdx\\.json|.*\\.spdx3\\.json|.*\\.spdx\\.jsonld|.*sbom[^/]*\\.json)$");

  private BundleScan() {}

  static LicenseReport scan(LicenseAudit audit, Path bundle) {
    BundleManifest manifest;
    try (InputStream in = Files.newInputStream(bundle)) {
      manifest = BundleReader.readManifestUnverified(in).manifest();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + bundle + ": " + e.getMessage(), e);
    } catch (BundleRejectedException e) {
      throw new IllegalArgumentException(bundle + " is not an Airlock bundle: " + e.getMessage(), e);
    }
    Path work;
    try {
      work = Files.createTempDirectory("airlock-license-scan-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory to scan " + bundle + ": " + e.getMessage(), e);
    }
    try {
      Map<String, String> bundlePathOf = new HashMap<>();
      List<Finding> skipped = new ArrayList<>();
      extract(bundle, manifest, work, bundlePathOf, skipped);
      LicenseReport r = audit.scanDirectory(work);
      List<Finding> findings = new ArrayList<>(skipped);
      findings.add(new Finding(Severity.INFO, FindingCode.BUNDLE_NOT_VERIFIED,
          "scanned from the bundle without checking its transfer signature or file digests: run 'airlock bundle verify' "
              + "(or import it) before relying on these facts. The manifest names " + manifest.modelName() + " "
              + manifest.modelVersion() + " from " + manifest.publisher() + " (" + manifest.originCountry() + ").",
          Evidence.at(BundlePaths.MANIFEST, new Position.Path("model"), manifest.modelName() + " " + manifest.modelVersion())));
      r.findings().stream().map(f -> rename(f, bundlePathOf)).forEach(findings::add);
      return new LicenseReport(
          bundle.getFileName().toString(),
          r.effectiveLicenses().stream().map(e -> new EffectiveLicense(e.id(), e.name(), e.category(), e.basis(),
              e.boundThrough(), rename(e.evidence(), bundlePathOf))).toList(),
          r.lineage().stream().map(l -> new LineageEntry(l.model(), l.relation(), l.family(), rename(l.evidence(), bundlePathOf))).toList(),
          r.obligations(), r.thresholds(), r.fieldOfUseRestrictions(), r.territorialRestrictions(), r.governingLaw(),
          findings);
    } finally {
      deleteTree(work);
    }
  }

  private static void extract(Path bundle, BundleManifest manifest, Path work, Map<String, String> bundlePathOf,
      List<Finding> skipped) {
    Map<String, BundleFile> declared = new HashMap<>();
    for (BundleFile f : manifest.files()) declared.put(f.path(), f);
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(bundle), 1 << 16))) {
      for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
        if (!entry.isFile()) continue;
        String path = entry.getName();
        if (!declared.containsKey(path)) continue; // the manifest entries, or files it does not declare
        BundlePaths.requireSafe(path);
        String name = path.substring(path.lastIndexOf('/') + 1);
        boolean topLevelModelFile = path.startsWith(BundlePaths.MODEL_DIR) && path.indexOf('/', BundlePaths.MODEL_DIR.length()) < 0;
        boolean sbom = path.startsWith(BundlePaths.SBOM_DIR);
        if (!(topLevelModelFile || sbom) || !WANTED.matcher(name).matches()) continue;
        long limit = sbom || name.toLowerCase(java.util.Locale.ROOT).endsWith(".json") ? LicenseAudit.MAX_SBOM_BYTES : LicenseAudit.MAX_LICENSE_BYTES;
        if (entry.getSize() > limit) {
          skipped.add(new Finding(Severity.WARNING, FindingCode.LICENSE_FILE_TRUNCATED,
              path + " is " + entry.getSize() + " bytes, more than the " + limit + " a license scan reads; it was not scanned.",
              Evidence.of(path, "")));
          continue;
        }
        String local = sbom && bundlePathOf.containsKey(name) ? "sbom-" + name : name;
        Files.copy(tar, work.resolve(local));
        bundlePathOf.put(local, path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(bundle + " cannot be read as a bundle: " + e.getMessage()
          + ". Copy it again from the original medium.", e);
    }
  }

  private static Finding rename(Finding f, Map<String, String> names) {
    return new Finding(f.severity(), f.code(), f.message(), rename(f.evidence(), names));
  }

  private static List<Evidence> rename(List<Evidence> ev, Map<String, String> names) {
    return ev.stream().map(e -> new Evidence(names.getOrDefault(e.file(), e.file()), e.position(), e.excerpt())).toList();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      // A temporary directory left behind holds only copies of license files; nothing to undo.
    }
  }
}
