package dev.airlock.vault.store;

import dev.airlock.vault.Sha256;
import dev.airlock.vault.bundle.FileSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Content-addressed files under {@code <data-dir>/vault}: {@code blobs/sha256/ab/abcd...} holds
 * the bytes whose SHA-256 is {@code abcd...}. A blob appears only by an atomic rename of a file
 * already forced to disk, so a blob file is always complete; writes go to {@code staging/} first.
 */
public final class BlobStore {
  public static final String BLOBS = "blobs/sha256";
  public static final String STAGING = "staging";

  private final Path root;

  public BlobStore(Path root) throws IOException {
    this.root = root;
    Files.createDirectories(root.resolve(BLOBS));
    Files.createDirectories(root.resolve(STAGING));
  }

  public Path root() {
    return root;
  }

  public Path pathOf(Sha256 digest) {
    return root.resolve(BLOBS).resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
  }

  public boolean contains(Sha256 digest) {
    return Files.isRegularFile(pathOf(digest));
  }

  public InputStream open(Sha256 digest) throws IOException {
    return Files.newInputStream(pathOf(digest));
  }

  /** Every blob file present, by digest (file names that are not digests are ignored). */
  public Map<Sha256, Path> list() throws IOException {
    Map<Sha256, Path> blobs = new HashMap<>();
    try (Stream<Path> s = Files.walk(root.resolve(BLOBS), 2)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (!Files.isRegularFile(p)) continue;
        try {
          blobs.put(new Sha256(p.getFileName().toString()), p);
        } catch (IllegalArgumentException ignored) {
          // not a blob: left alone
        }
      }
    }
    return blobs;
  }

  public void delete(Sha256 digest) throws IOException {
    Files.deleteIfExists(pathOf(digest));
  }

  /** Removes whatever an interrupted import left in staging; returns how many were found. */
  public int cleanStaging() throws IOException {
    int n = 0;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root.resolve(STAGING))) {
      for (Path d : dirs) {
        deleteTree(d);
        n++;
      }
    }
    return n;
  }

  public Staging newStaging() throws IOException {
    Path dir = root.resolve(STAGING).resolve(UUID.randomUUID().toString());
    Files.createDirectories(dir.resolve("blobs"));
    return new Staging(dir);
  }

  /** One import's private area: new blobs are written here, then moved in by {@link #commit}. */
  public final class Staging implements AutoCloseable {
    private final Path dir;
    private final Set<Sha256> staged = new LinkedHashSet<>();

    private Staging(Path dir) {
      this.dir = dir;
    }

    public Path dir() {
      return dir;
    }

    public Path stagedPath(Sha256 digest) {
      return dir.resolve("blobs").resolve(digest.hex());
    }

    /** A sink for bytes expected to have this digest (the reader checks that they do). */
    public FileSink sinkFor(Sha256 expected) throws IOException {
      Path file = stagedPath(expected);
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      staged.add(expected);
      return new FileSink() {
        @Override
        public void write(ByteBuffer bytes) throws IOException {
          ch.write(bytes);
        }

        @Override
        public void complete() throws IOException {
          ch.force(true);
          ch.close();
        }

        @Override
        public void abandon() {
          try {
            ch.close();
          } catch (IOException ignored) {
            // the staging directory is removed as a whole
          }
        }
      };
    }

    /** True if this import already stages these bytes (two files with the same content). */
    public boolean isStaged(Sha256 digest) {
      return staged.contains(digest);
    }

    /**
     * Moves every staged blob into the store (skipping those that arrived meanwhile), then
     * forces the directories, so that the blobs survive a crash before the catalog commits.
     */
    public List<Sha256> commit() throws IOException {
      List<Sha256> added = new ArrayList<>();
      Set<Path> dirsToSync = new LinkedHashSet<>();
      forceDirectory(dir.resolve("blobs"));
      for (Sha256 d : staged) {
        Path target = pathOf(d);
        if (Files.exists(target)) continue;
        Files.createDirectories(target.getParent());
        try {
          Files.move(stagedPath(d), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
          continue;
        } catch (AtomicMoveNotSupportedException e) {
          throw new IOException("the vault's staging and blob directories must be on one file"
              + " system (" + root + ")", e);
        }
        dirsToSync.add(target.getParent());
        added.add(d);
      }
      for (Path p : dirsToSync) forceDirectory(p);
      forceDirectory(root.resolve(BLOBS));
      return added;
    }

    /** Removes the staging directory and whatever is still in it. */
    @Override
    public void close() throws IOException {
      deleteTree(dir);
    }
  }

  /** fsync on a directory makes renames into it durable (Linux; a no-op where unsupported). */
  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) throw e;
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
