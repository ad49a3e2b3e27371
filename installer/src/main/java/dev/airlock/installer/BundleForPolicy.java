package dev.airlock.installer;

import dev.airlock.policy.ModelFacts;
import dev.airlock.policy.PolicyFacts;
import dev.airlock.vault.bundle.BundleFile;
import dev.airlock.vault.bundle.BundlePaths;
import dev.airlock.vault.bundle.BundleReader;
import dev.airlock.vault.bundle.BundleRejectedException;
import dev.airlock.vault.bundle.FileSink;
import dev.airlock.vault.bundle.OmsPublisherCheck;
import dev.airlock.vault.bundle.VerifiedManifest;
import dev.airlock.vault.catalog.PublisherSignature;
import dev.airlock.vault.metadata.HardwareProfile;
import dev.airlock.vault.trust.TrustAnchor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A bundle, read and verified exactly as the vault would at import (manifest signature against the
 * trusted transfer keys, every file's size and digest, the publisher's model.sig against the
 * trusted publishers), unpacked into a temporary directory only for as long as it is judged.
 */
final class BundleForPolicy implements AutoCloseable {
  private final Path staging;
  final PolicyFacts facts;

  private BundleForPolicy(Path staging, PolicyFacts facts) {
    this.staging = staging;
    this.facts = facts;
  }

  /**
   * @throws BundleRejectedException when the vault would refuse the bundle (the message says why)
   */
  static BundleForPolicy read(Path bundle, List<TrustAnchor> transfer, List<TrustAnchor> publishers,
      HardwareProfile hardware, Instant now, PrintWriter progressOut) throws IOException {
    Path staging = Files.createTempDirectory("airlock-policy-check-");
    try {
      VerifiedManifest vm;
      try (InputStream in = Files.newInputStream(bundle)) {
        vm = BundleReader.read(in, transfer, now, new BundleReader.Listener() {
          @Override
          public boolean manifestVerified(VerifiedManifest manifest) {
            return true;
          }

          @Override
          public Optional<FileSink> sinkFor(BundleFile file) throws IOException {
            return Optional.of(sink(staging.resolve(file.path())));
          }
        }, TransferProgress.forCommand(progressOut)).manifest();
      }
      Path modelDir = staging.resolve(BundlePaths.MODEL_DIR);
      PublisherSignature publisher = Files.isRegularFile(modelDir.resolve("model.sig"))
          ? new OmsPublisherCheck().check(modelDir, publishers, now)
          : PublisherSignature.absent();
      boolean sbom = Files.isDirectory(staging.resolve(BundlePaths.SBOM_DIR));
      var m = vm.manifest();
      PolicyFacts.Provenance provenance = new PolicyFacts.Provenance(
          PolicyFacts.TransferState.VERIFIED,
          "bundle " + m.bundleId() + " signed by transfer key '" + vm.signer().name() + "' ("
              + vm.signer().fingerprint() + ")",
          ModelFacts.publisherSignature(publisher), sbom);
      PolicyFacts.Origin origin = ModelFacts.manifestOrigin(m.publisher(), m.originCountry());
      PolicyFacts facts = ModelFacts.ofVerifiedModel(modelDir,
          new PolicyFacts.Subject(bundle + " (" + m.modelName() + " " + m.modelVersion() + ")",
              PolicyFacts.SubjectKind.BUNDLE),
          origin, provenance, hardware).facts();
      return new BundleForPolicy(staging, facts);
    } catch (IOException | RuntimeException e) {
      deleteTree(staging);
      throw e;
    }
  }

  private static FileSink sink(Path target) throws IOException {
    Files.createDirectories(target.getParent());
    FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return new FileSink() {
      @Override
      public void write(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) ch.write(bytes);
      }

      @Override
      public void complete() throws IOException {
        ch.close();
      }

      @Override
      public void abandon() {
        try {
          ch.close();
          Files.deleteIfExists(target);
        } catch (IOException ignored) {
          // the whole staging directory is deleted anyway
        }
      }
    };
  }

  @Override
  public void close() {
    deleteTree(staging);
  }

  private static void deleteTree(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException ignored) {
      // best effort: a temporary directory left behind holds only a copy of the bundle
    }
  }
}
