package dev.airlock.server.backend;

import dev.airlock.server.ApplianceConfig;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.Vault;
import dev.airlock.vault.bundle.BundlePaths;
import dev.airlock.vault.catalog.CatalogFile;
import dev.airlock.vault.store.BlobStore;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A vault version laid out as the model directory a backend serves: {@code <data dir>/serve/<version
 * id>/} holds the version's model files (the bundle's {@code model/} tree, under their original
 * relative paths), each a read-only hard link to its content-addressed blob, or a read-only copy
 * checked against its digest where a link cannot be made (the serve directory on another file
 * system). The directory is built under a temporary name and renamed into place, so a backend never
 * sees a half-made one; an existing directory is reused when it is intact (exactly the expected
 * files, read-only, each the blob itself or a copy with the blob's digest), else rebuilt.
 *
 * <p>A hard link shares the blob's inode, so making the link read-only makes the blob read-only too:
 * a blob never changes, so that is what it should be anyway.
 */
@Singleton
public class ServableLayout {
  /** The servable directories' home under the data directory. */
  public static final String DIRECTORY = "serve";
  /** Temporary build directories start with this; any left by a crash are removed on start. */
  static final String BUILDING_PREFIX = ".building-";
  static final Set<PosixFilePermission> READ_ONLY = PosixFilePermissions.fromString("r--r--r--");

  /** Makes {@code link} a hard link to {@code existing}: {@link Files#createLink} outside tests. */
  @FunctionalInterface
  interface Linker {
    void link(Path link, Path existing) throws IOException;
  }

  private final Vault vault;
  private final Path root;
  private final Linker linker;

  @Inject
  public ServableLayout(Vault vault, ApplianceConfig config) throws IOException {
    this(vault, config.getDataDir().toAbsolutePath().normalize().resolve(DIRECTORY), Files::createLink);
  }

  ServableLayout(Vault vault, Path root, Linker linker) throws IOException {
    this.vault = vault;
    this.root = root;
    this.linker = linker;
    Files.createDirectories(root);
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(BUILDING_PREFIX)).toList()) deleteTree(p);
    }
  }

  /** Where a version's directory is (whether or not it exists yet). */
  public Path directory(String versionId) {
    requireId(versionId);
    return root.resolve(versionId);
  }

  /**
   * The servable directory of a catalog version, built from the vault's blobs or reused.
   *
   * @throws IOException when a blob is missing or damaged, or the directory cannot be written;
   *     the message says which file and what to do
   */
  public synchronized Path materialize(String versionId) throws IOException {
    Path target = directory(versionId);
    Map<String, CatalogFile> files = modelFiles(versionId);
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      if (intact(target, files)) return target;
      deleteTree(target);
    }
    Path building = root.resolve(BUILDING_PREFIX + versionId + "-" + UUID.randomUUID());
    try {
      Files.createDirectories(building);
      for (var e : files.entrySet()) place(building, e.getKey(), e.getValue());
      try {
        Files.move(building, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
        // Another node sharing this data directory finished first: use its directory if it is whole.
        if (!intact(target, files)) throw new IOException("the servable directory " + target + " changed while it was"
            + " being built; activate the model again", raced);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot rename " + building + " to " + target + " atomically: the data directory must"
            + " be a local file system", e);
      }
      return target;
    } finally {
      deleteTree(building);
    }
  }

  /** Removes a version's servable directory (a retired version is never served again). */
  public synchronized void remove(String versionId) throws IOException {
    deleteTree(directory(versionId));
  }

  /**
   * The one {@code .gguf} file in a servable directory, for the embedded engine.
   *
   * @throws IllegalArgumentException when there is none or more than one, naming the files found
   */
  public static Path singleGguf(Path dir) throws IOException {
    List<String> all = new ArrayList<>();
    List<Path> ggufs = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        String rel = dir.relativize(p).toString();
        all.add(rel);
        if (rel.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf")) ggufs.add(p);
      }
    }
    if (ggufs.size() != 1) {
      throw new IllegalArgumentException("the embedded engine serves exactly one .gguf file, but this version has "
          + (ggufs.isEmpty() ? "none" : ggufs.size()) + " among its files " + all
          + "; serve it with the vllm backend, or import a bundle with a single GGUF file");
    }
    return ggufs.getFirst();
  }

  /** The version's model files by their path inside the model directory. */
  private Map<String, CatalogFile> modelFiles(String versionId) throws IOException {
    List<CatalogFile> all;
    try {
      all = vault.catalog().files(versionId);
    } catch (SQLException e) {
      throw new IOException("cannot read the files of version " + versionId + " from the catalog: " + e.getMessage(), e);
    }
    Map<String, CatalogFile> files = new LinkedHashMap<>();
    for (CatalogFile f : all) {
      if (!f.path().startsWith(BundlePaths.MODEL_DIR)) continue; // the SBOM stays in the vault
      String rel = f.path().substring(BundlePaths.MODEL_DIR.length());
      BundlePaths.requireSafe(f.path()); // checked at import; checked again before it names a file here
      files.put(rel, f);
    }
    if (files.isEmpty()) {
      throw new IOException("version " + versionId + " has no model files in the catalog; is it the right version id?");
    }
    return files;
  }

  private void place(Path dir, String rel, CatalogFile f) throws IOException {
    Path link = dir.resolve(rel).normalize();
    if (!link.startsWith(dir)) throw new IOException("refusing model path '" + rel + "': it leaves the model directory");
    Files.createDirectories(link.getParent());
    BlobStore blobs = vault.blobs();
    Path blob = blobs.pathOf(f.sha256());
    if (!Files.isRegularFile(blob)) {
      throw new IOException("the vault has no blob for " + f.path() + " (sha256 " + f.sha256().hex() + ");"
          + " run 'airlock vault verify' and re-import the bundle");
    }
    try {
      linker.link(link, blob);
    } catch (IOException | UnsupportedOperationException notLinkable) {
      copyChecked(blob, link, f);
    }
    Files.setPosixFilePermissions(link, READ_ONLY);
  }

  /** Copies a blob, hashing it on the way, and refuses a copy whose bytes are not the catalog's. */
  private static void copyChecked(Path blob, Path copy, CatalogFile f) throws IOException {
    MessageDigest sha = Sha256.newDigest();
    long size = 0;
    try (InputStream in = Files.newInputStream(blob); OutputStream out = Files.newOutputStream(copy)) {
      byte[] buffer = new byte[1 << 20];
      for (int n; (n = in.read(buffer)) != -1; ) {
        sha.update(buffer, 0, n);
        out.write(buffer, 0, n);
        size += n;
      }
    }
    String actual = HexFormat.of().formatHex(sha.digest());
    if (size != f.size() || !actual.equals(f.sha256().hex())) {
      throw new IOException("the vault's blob for " + f.path() + " is damaged (sha256 " + actual + ", expected "
          + f.sha256().hex() + "); run 'airlock vault verify' and re-import the bundle");
    }
  }

  private boolean intact(Path dir, Map<String, CatalogFile> files) throws IOException {
    List<String> present = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
        present.add(dir.relativize(p).toString());
      }
    }
    if (present.size() != files.size() || !files.keySet().containsAll(present)) return false;
    for (var e : files.entrySet()) {
      Path p = dir.resolve(e.getKey());
      CatalogFile f = e.getValue();
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.size(p) != f.size()
          || !Files.getPosixFilePermissions(p).equals(READ_ONLY)) {
        return false;
      }
      Path blob = vault.blobs().pathOf(f.sha256());
      if (Files.exists(blob) && Files.isSameFile(p, blob)) continue; // the blob itself, which the vault checked
      try (InputStream in = Files.newInputStream(p)) {
        if (!Sha256.of(in).equals(f.sha256())) return false;
      }
    }
    return true;
  }

  private static void requireId(String versionId) {
    if (versionId == null || !versionId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException("'" + versionId + "' is not a catalog version id");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
