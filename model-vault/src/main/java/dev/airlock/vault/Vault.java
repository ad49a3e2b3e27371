package dev.airlock.vault;

import dev.airlock.vault.bundle.BundleFile;
import dev.airlock.vault.bundle.BundlePaths;
import dev.airlock.vault.bundle.BundleReader;
import dev.airlock.vault.bundle.BundleRejectedException;
import dev.airlock.vault.bundle.BundleRejectedException.Problem;
import dev.airlock.vault.bundle.FileSink;
import dev.airlock.vault.bundle.OmsPublisherCheck;
import dev.airlock.vault.bundle.PublisherSignatureCheck;
import dev.airlock.vault.bundle.VerifiedManifest;
import dev.airlock.vault.catalog.Catalog;
import dev.airlock.vault.catalog.CatalogFile;
import dev.airlock.vault.catalog.LifecycleEvent;
import dev.airlock.vault.catalog.ModelFacts;
import dev.airlock.vault.catalog.ModelVersion;
import dev.airlock.vault.metadata.HardwareProfile;
import dev.airlock.vault.metadata.ModelFileException;
import dev.airlock.vault.metadata.ModelInspector;
import dev.airlock.vault.catalog.Provenance;
import dev.airlock.vault.catalog.PublisherSignature;
import dev.airlock.vault.catalog.VaultSchema;
import dev.airlock.vault.store.BlobStore;
import dev.airlock.vault.store.FreeSpaceProbe;
import dev.airlock.vault.trust.TrustAnchor;
import dev.airlock.vault.trust.TrustRole;
import dev.airlock.vault.trust.TrustStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * The model vault: where signed bundles come in ({@link #importBundle}) and where model files are
 * kept, content-addressed and deduplicated, with their catalog entry and provenance.
 *
 * <p>An import is atomic: files are hashed while copied into a private staging area and forced to
 * disk; only when every signature and every byte checked out are the blobs renamed into the store
 * and the catalog written in one transaction. A crash before that commit leaves nothing visible;
 * what it leaves on disk is removed the next time a vault is opened. One process at a time opens
 * a vault (a lock file enforces it).
 */
public final class Vault implements AutoCloseable {
  /** The vault's directory under the data directory. */
  public static final String DIRECTORY = "vault";
  /**
   * Space kept free beyond the bundle's bytes, for the database and logs that share the disk:
   * an import that would fill the disk to the last byte is refused.
   */
  public static final long SPACE_RESERVE_BYTES = 256L << 20;
  private static final System.Logger LOG = System.getLogger(Vault.class.getName());

  /** What a vault can be tuned with; the defaults run on a laptop. */
  public record Options(Clock clock, FreeSpaceProbe freeSpace, PublisherSignatureCheck publisherCheck) {
    public static Options defaults() {
      return new Options(Clock.systemUTC(), FreeSpaceProbe.FILE_STORE, new OmsPublisherCheck());
    }

    public Options withClock(Clock clock) {
      return new Options(clock, freeSpace, publisherCheck);
    }

    public Options withFreeSpace(FreeSpaceProbe probe) {
      return new Options(clock, probe, publisherCheck);
    }

    public Options withPublisherCheck(PublisherSignatureCheck check) {
      return new Options(clock, freeSpace, check);
    }
  }

  private final Path dataDir;
  private final Options options;
  private final BlobStore blobs;
  private final Catalog catalog;
  private TrustStore trust;
  private final FileChannel lockChannel;
  private final FileLock lock;
  /** The embedded database's pool when the vault opened it itself; closed with the vault. */
  private org.h2.jdbcx.JdbcConnectionPool ownedPool;

  private Vault(Path dataDir, DataSource dataSource, Options options, FileChannel lockChannel,
      FileLock lock) throws IOException {
    this.dataDir = dataDir;
    this.options = options;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.blobs = new BlobStore(dataDir.resolve(DIRECTORY));
    this.catalog = new Catalog(dataSource, options.clock());
    this.trust = TrustStore.open(dataDir, options.clock());
  }

  /**
   * Opens the vault of a data directory on a database whose schema is already migrated (the
   * server's case), and cleans up what an interrupted import left behind.
   */
  public static Vault open(Path dataDir, DataSource dataSource, Options options) throws IOException {
    Path root = dataDir.resolve(DIRECTORY);
    Files.createDirectories(root);
    FileChannel ch = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      throw new IllegalStateException("the vault in " + root + " is in use by another Airlock"
          + " process; stop the server (or the other command) first");
    }
    Vault vault;
    try {
      vault = new Vault(dataDir, dataSource, options, ch, lock);
      vault.recover();
    } catch (IOException | RuntimeException e) {
      lock.release();
      ch.close();
      throw e;
    }
    return vault;
  }

  /** Opens the vault with the data directory's embedded database, migrating its schema (CLI). */
  public static Vault openEmbedded(Path dataDir, Options options) throws IOException {
    org.h2.jdbcx.JdbcConnectionPool pool = VaultSchema.embedded(dataDir);
    try {
      VaultSchema.migrate(pool);
      Vault vault = open(dataDir, pool, options);
      vault.ownedPool = pool;
      return vault;
    } catch (IOException | RuntimeException e) {
      pool.dispose();
      throw e;
    }
  }

  public Catalog catalog() {
    return catalog;
  }

  public TrustStore trust() {
    return trust;
  }

  public BlobStore blobs() {
    return blobs;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Imports a bundle file. See {@link #importBundle(InputStream, String, Progress)}. */
  public ImportResult importBundle(Path bundle, String importer, Progress progress) throws IOException {
    try (InputStream in = Files.newInputStream(bundle)) {
      return importBundle(in, importer, progress);
    }
  }

  /**
   * Streams a bundle into the vault: verifies the manifest's signature against the trusted
   * transfer keys, checks free space, copies and hashes every file once, verifies the publisher's
   * model.sig where a publisher is trusted, then commits. Importing the same bundle again
   * changes nothing and says so.
   *
   * @throws BundleRejectedException when the bundle is refused; nothing of it is left behind
   */
  public ImportResult importBundle(InputStream in, String importer, Progress progress) throws IOException {
    trust = TrustStore.open(dataDir, options.clock()); // the CLI may have changed it since open
    List<TrustAnchor> transfer = trust.forRole(TrustRole.TRANSFER);
    if (transfer.isEmpty()) {
      throw new BundleRejectedException(Problem.SIGNER_UNTRUSTED, "the trust store in " + dataDir
          + " has no transfer key, so no bundle can be trusted; add the organization's transfer"
          + " public key with 'airlock trust add --role transfer --name NAME --key PEM'");
    }
    AtomicReference<ModelVersion> existing = new AtomicReference<>();
    try (BlobStore.Staging staging = blobs.newStaging()) {
      BundleReader.Listener listener = new BundleReader.Listener() {
        @Override
        public boolean manifestVerified(VerifiedManifest m) {
          Optional<ModelVersion> same = lookup(m);
          if (same.isPresent()) {
            existing.set(same.get());
            return false;
          }
          requireSpace(m);
          return true;
        }

        @Override
        public Optional<FileSink> sinkFor(BundleFile file) throws IOException {
          if (blobs.contains(file.sha256()) || staging.isStaged(file.sha256())) return Optional.empty();
          return Optional.of(staging.sinkFor(file.sha256()));
        }
      };
      BundleReader.Result read = BundleReader.read(in, transfer, options.clock().instant(), listener, progress);
      VerifiedManifest vm = read.manifest();
      if (!read.filesRead()) {
        return new ImportResult(ImportResult.Outcome.ALREADY_PRESENT, existing.get(),
            vm.manifest().files().size(), 0, 0, Optional.empty());
      }
      Path tree = modelTree(vm, staging);
      PublisherSignature publisher = checkPublisher(vm, tree);
      ModelFacts facts = inspect(vm, tree);
      List<Sha256> added = staging.commit();
      LifecycleEvent event;
      try {
        event = catalog.recordImport(newVersion(vm, publisher, Optional.of(facts), importer, options.clock().instant()));
      } catch (SQLException e) {
        // The blobs just moved in are unreferenced: the next open removes them.
        throw new IOException("cannot record " + vm.manifest().modelName() + " "
            + vm.manifest().modelVersion() + " in the catalog: " + e.getMessage()
            + "; nothing was imported, try again", e);
      }
      ModelVersion version = catalog.find(event.versionId()).orElseThrow();
      return new ImportResult(ImportResult.Outcome.IMPORTED, version, vm.manifest().files().size(),
          vm.manifest().totalBytes(), added.size(), Optional.of(event));
    } catch (SQLException e) {
      throw new IOException("cannot read the catalog: " + e.getMessage(), e);
    }
  }

  private Optional<ModelVersion> lookup(VerifiedManifest m) {
    try {
      Optional<ModelVersion> byBundle = catalog.findByBundleId(m.manifest().bundleId());
      if (byBundle.isPresent()) {
        if (byBundle.get().provenance().manifestSha256().equals(m.manifestDigest().hex())) return byBundle;
        throw new BundleRejectedException(Problem.CONFLICT, "a different bundle with the same id "
            + m.manifest().bundleId() + " is already in the vault (as " + byBundle.get().modelName()
            + " " + byBundle.get().version() + "); bundle ids must be unique: recreate the bundle");
      }
      Optional<ModelVersion> byName = catalog.find(m.manifest().modelName(), m.manifest().modelVersion());
      if (byName.isPresent()) {
        throw new BundleRejectedException(Problem.CONFLICT, m.manifest().modelName() + " version "
            + m.manifest().modelVersion() + " is already in the vault from bundle "
            + byName.get().provenance().bundleId() + "; a version's content never changes:"
            + " give the new bundle a new --model-version");
      }
      return Optional.empty();
    } catch (SQLException e) {
      throw new java.io.UncheckedIOException(new IOException("cannot read the catalog: " + e.getMessage(), e));
    }
  }

  /** Declared sizes of the content not yet in the vault, against the usable space. */
  private void requireSpace(VerifiedManifest m) {
    Set<Sha256> counted = new HashSet<>();
    long needed = 0;
    for (BundleFile f : m.manifest().files()) {
      if (counted.add(f.sha256()) && !blobs.contains(f.sha256())) needed += f.size();
    }
    long usable;
    try {
      usable = options.freeSpace().usableBytes(blobs.root());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    if (needed + SPACE_RESERVE_BYTES > usable) {
      throw new BundleRejectedException(Problem.NOT_ENOUGH_SPACE, "not enough disk space for "
          + m.manifest().modelName() + " " + m.manifest().modelVersion() + ": it needs "
          + humanBytes(needed) + " (plus " + humanBytes(SPACE_RESERVE_BYTES) + " kept free) but only "
          + humanBytes(usable) + " is free in " + blobs.root() + ". Free some space, or use a data"
          + " directory on a larger disk; nothing was copied.");
    }
  }

  /**
   * The model directory as the publisher made it, built of hard links to the checked bytes (staged
   * or already in the store), for the signature check and the inspector. No bytes are copied.
   */
  private Path modelTree(VerifiedManifest vm, BlobStore.Staging staging) throws IOException {
    Path tree = Files.createDirectories(staging.dir().resolve("tree"));
    for (BundleFile f : vm.manifest().files()) {
      if (!f.isModelFile()) continue;
      Path link = tree.resolve(f.modelPath());
      Files.createDirectories(link.getParent());
      Path source = staging.isStaged(f.sha256()) ? staging.stagedPath(f.sha256()) : blobs.pathOf(f.sha256());
      Files.createLink(link, source);
    }
    return tree;
  }

  private PublisherSignature checkPublisher(VerifiedManifest vm, Path tree) throws IOException {
    if (vm.manifest().file(BundlePaths.PUBLISHER_SIGNATURE).isEmpty()) return PublisherSignature.absent();
    List<TrustAnchor> publishers = trust.forRole(TrustRole.PUBLISHER);
    if (publishers.isEmpty()) {
      return new PublisherSignature(PublisherSignature.Status.SIGNER_NOT_TRUSTED, Optional.empty(),
          Optional.empty(), "model.sig is present but no publisher key or CA is trusted");
    }
    return options.publisherCheck().check(tree, publishers, options.clock().instant());
  }

  /** Reads config, card and weight headers (never the weights); a lying file refuses the bundle. */
  private static ModelFacts inspect(VerifiedManifest vm, Path tree) throws IOException {
    try {
      return ModelFacts.of(ModelInspector.inspect(tree, HardwareProfile.none()));
    } catch (ModelFileException e) {
      throw new BundleRejectedException(Problem.INVALID_MODEL_FILE, "a model file of "
          + vm.manifest().modelName() + " " + vm.manifest().modelVersion() + " cannot be used: "
          + e.getMessage() + ". Nothing was imported; ask the publisher for intact files.", e);
    }
  }

  private static Catalog.NewVersion newVersion(VerifiedManifest vm, PublisherSignature publisher,
      Optional<ModelFacts> facts, String importer, java.time.Instant now) {
    var m = vm.manifest();
    Provenance p = new Provenance(m.publisher(), m.originCountry(), m.source(), m.bundleId(),
        vm.manifestDigest().hex(), m.created(), vm.signer().name(), vm.signer().fingerprint().hex(),
        publisher, now, importer);
    List<CatalogFile> files = m.files().stream().map(f -> new CatalogFile(f.path(), f.size(), f.sha256())).toList();
    return new Catalog.NewVersion(m.modelName(), m.modelVersion(), m.totalBytes(), p, files, facts);
  }

  /**
   * Stores small files the vault was given rather than carried in a bundle (a registered external
   * server's declaration, license text and model card) as blobs, and returns them as the catalog
   * files of a version, under {@value BundlePaths#MODEL_DIR}. Blobs no version refers to, should
   * the catalog record that follows fail, are removed at the next open, as after a failed import.
   */
  public List<CatalogFile> storeFiles(java.util.Map<String, byte[]> modelFiles) throws IOException {
    List<CatalogFile> out = new java.util.ArrayList<>();
    try (BlobStore.Staging staging = blobs.newStaging()) {
      for (var e : new java.util.TreeMap<>(modelFiles).entrySet()) {
        byte[] bytes = e.getValue();
        Sha256 digest = Sha256.of(bytes);
        if (!blobs.contains(digest) && !staging.isStaged(digest)) {
          FileSink sink = staging.sinkFor(digest);
          sink.write(java.nio.ByteBuffer.wrap(bytes));
          sink.complete();
        }
        out.add(new CatalogFile(BundlePaths.MODEL_DIR + e.getKey(), bytes.length, digest));
      }
      staging.commit();
    }
    return out;
  }

  /** A revoked trust entry and how many models it had vouched for (now flagged). */
  public record Revocation(TrustAnchor anchor, int modelsFlagged) {}

  /**
   * Revokes a trusted key or CA: bundles it signed are refused from now on, and the models it
   * vouched for are flagged in the catalog.
   */
  public Revocation revokeTrust(String nameOrFingerprint, String reason) throws IOException {
    return revokeTrust(nameOrFingerprint, reason, (entry, isRevoked) -> { });
  }

  /**
   * The same, with {@code recorder} told of the revocation before it is saved (the server appends
   * its audit record there): if the recorder fails, nothing is revoked.
   */
  public Revocation revokeTrust(String nameOrFingerprint, String reason, TrustStore.ChangeRecorder recorder)
      throws IOException {
    TrustAnchor revoked = trust.revoke(nameOrFingerprint, reason, recorder);
    try {
      int flagged = catalog.flagSignedBy(revoked.fingerprint().hex(), "signer '" + revoked.name()
          + "' (" + revoked.fingerprint() + ") was revoked: " + reason);
      return new Revocation(revoked, flagged);
    } catch (SQLException e) {
      throw new IOException("the key was revoked, but flagging its models failed: " + e.getMessage()
          + "; run the revocation again to flag them", e);
    }
  }

  /** Re-hashes every blob the catalog knows, on all cores, and reports damage. */
  public VerifyReport verify(Progress progress) throws IOException {
    Map<Sha256, Long> known;
    try {
      known = catalog.blobs();
    } catch (SQLException e) {
      throw new IOException("cannot read the catalog: " + e.getMessage(), e);
    }
    Map<Sha256, Path> present = blobs.list();
    List<Sha256> unreferenced = present.keySet().stream().filter(d -> !known.containsKey(d)).sorted(
        java.util.Comparator.comparing(Sha256::hex)).toList();
    progress.start("Verifying vault", known.values().stream().mapToLong(Long::longValue).sum());
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<VerifyReport.Damage> damage = new ArrayList<>();
    long bytes = 0;
    try {
      List<Future<Optional<VerifyReport.Damage>>> results = new ArrayList<>();
      for (var e : known.entrySet()) {
        results.add(pool.submit(() -> checkBlob(e.getKey(), e.getValue(), present.get(e.getKey()), progress)));
      }
      for (Future<Optional<VerifyReport.Damage>> f : results) f.get().ifPresent(damage::add);
      bytes = known.values().stream().mapToLong(Long::longValue).sum();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdownNow();
      progress.finish();
    }
    damage.sort(java.util.Comparator.comparing(d -> d.expected().hex()));
    return new VerifyReport(known.size(), bytes, damage, unreferenced);
  }

  private static Optional<VerifyReport.Damage> checkBlob(Sha256 digest, long size, Path file,
      Progress progress) throws IOException {
    if (file == null) return Optional.of(new VerifyReport.Damage(digest, "the blob file is missing"));
    long actualSize = Files.size(file);
    Sha256 actual;
    try (InputStream in = Files.newInputStream(file)) {
      java.security.MessageDigest sha = Sha256.newDigest();
      byte[] buffer = new byte[1 << 20];
      for (int n; (n = in.read(buffer)) != -1; ) {
        sha.update(buffer, 0, n);
        progress.advance(n);
      }
      actual = new Sha256(java.util.HexFormat.of().formatHex(sha.digest()));
    }
    if (!actual.equals(digest)) {
      return Optional.of(new VerifyReport.Damage(digest, "its content now hashes to " + actual.hex()
          + (actualSize != size ? " and it is " + actualSize + " bytes instead of " + size : "")));
    }
    return Optional.empty();
  }

  /**
   * Removes what an interrupted import left: its staging directory, and blobs renamed into the
   * store whose catalog transaction never committed.
   */
  private void recover() throws IOException {
    int staged = blobs.cleanStaging();
    Map<Sha256, Long> known;
    try {
      known = catalog.blobs();
    } catch (SQLException e) {
      throw new IOException("cannot read the catalog in " + dataDir + ": " + e.getMessage(), e);
    }
    Set<Sha256> orphans = new LinkedHashSet<>(blobs.list().keySet());
    orphans.removeAll(known.keySet());
    for (Sha256 d : orphans) blobs.delete(d);
    if (staged > 0 || !orphans.isEmpty()) {
      LOG.log(System.Logger.Level.INFO, "vault recovery: removed {0} unfinished import(s) and {1}"
          + " uncommitted blob(s)", staged, orphans.size());
    }
  }

  /** A size as people read it: {@code 512 B}, {@code 1.5 KiB}, {@code 3.2 GiB}. */
  public static String humanBytes(long bytes) {
    if (bytes < 1024) return bytes + " B";
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }

  @Override
  public void close() throws IOException {
    try {
      if (ownedPool != null) ownedPool.dispose();
      lock.release();
    } finally {
      lockChannel.close();
    }
  }
}
