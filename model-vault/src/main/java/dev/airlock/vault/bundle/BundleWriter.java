package dev.airlock.vault.bundle;

import dev.airlock.vault.Progress;
import dev.airlock.vault.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import dev.airlock.vault.signing.SigningKey;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a bundle: hashes the model directory (in parallel), signs the manifest with the transfer
 * key, then writes the tar with the manifest and its signature first. The model directory is read
 * twice (hash, then copy), because the signed manifest must come before the files.
 */
public final class BundleWriter {
  /** Regular file permission in the tar: readable, never executable. */
  private static final int FILE_MODE = 0100644;
  private static final int COPY_BUFFER = 1 << 20;

  /** What the bundle says about its model. */
  public record Description(String modelName, String modelVersion, String publisher,
      String originCountry, Optional<String> source) {
    public Description {
      BundleManifest.requireCountry(originCountry);
    }
  }

  private BundleWriter() {}

  /**
   * Writes a signed bundle of {@code modelDir} (and the SBOM, if given) to {@code out}.
   *
   * @throws IOException if the directory cannot be read, or holds links or special files
   */
  public static BundleManifest write(Path modelDir, Optional<Path> sbom, Description description,
      SigningKey transferKey, Clock clock, OutputStream out, Progress progress) throws IOException {
    List<Source> sources = new ArrayList<>();
    for (Path file : listRegularFiles(modelDir)) {
      String rel = modelDir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
      sources.add(new Source(BundlePaths.MODEL_DIR + rel, file));
    }
    if (sbom.isPresent()) {
      Path s = sbom.get();
      if (!Files.isRegularFile(s, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("the SBOM " + s + " is not a regular file");
      }
      sources.add(new Source(BundlePaths.SBOM_DIR + s.getFileName(), s));
    }
    if (sources.stream().noneMatch(s -> s.path.startsWith(BundlePaths.MODEL_DIR))) {
      throw new IOException("the model directory " + modelDir + " holds no files");
    }
    for (Source s : sources) BundlePaths.requireSafe(s.path);

    long total = 0;
    for (Source s : sources) total += Files.size(s.file);
    progress.start("Hashing", total);
    List<BundleFile> files;
    try {
      files = hashAll(sources, progress);
    } finally {
      progress.finish();
    }
    Instant created = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT_VERSION,
        UUID.randomUUID().toString(), created, description.modelName(), description.modelVersion(),
        description.publisher(), description.originCountry(), description.source(), files);
    byte[] manifestJson = manifest.toJson();
    byte[] signature = TransferSignature.sign(manifestJson, manifest, transferKey);

    progress.start("Writing", total);
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(nonClosing(out))) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      putBytes(tar, BundlePaths.MANIFEST, manifestJson, created);
      putBytes(tar, BundlePaths.SIGNATURE, signature, created);
      byte[] buffer = new byte[COPY_BUFFER];
      for (int i = 0; i < sources.size(); i++) {
        Source s = sources.get(i);
        BundleFile declared = files.get(i);
        TarArchiveEntry e = entry(s.path, declared.size(), created);
        tar.putArchiveEntry(e);
        long copied = 0;
        try (InputStream in = Files.newInputStream(s.file)) {
          for (int n; (n = in.read(buffer)) != -1; ) {
            copied += n;
            if (copied > declared.size()) break;
            tar.write(buffer, 0, n);
            progress.advance(n);
          }
        }
        if (copied != declared.size()) {
          throw new IOException(s.file + " changed while the bundle was written (" + declared.size()
              + " bytes when hashed, " + copied + " now); leave the model directory alone and retry");
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
    } finally {
      progress.finish();
    }
    return manifest;
  }

  private record Source(String path, Path file) {}

  private static List<BundleFile> hashAll(List<Source> sources, Progress progress) throws IOException {
    int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "airlock-bundle-hash");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<BundleFile>> futures = new ArrayList<>();
      for (Source s : sources) {
        futures.add(pool.submit(() -> {
          long size = Files.size(s.file);
          try (InputStream in = new ProgressInputStream(Files.newInputStream(s.file), progress)) {
            return new BundleFile(s.path, size, Sha256.of(in));
          }
        }));
      }
      List<BundleFile> files = new ArrayList<>();
      for (Future<BundleFile> f : futures) files.add(f.get());
      return files;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while hashing");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) throw io;
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Regular files under the directory, sorted by path; links and special files are refused. */
  static List<Path> listRegularFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("the model directory " + dir + " does not exist or is not a directory");
    }
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (!attrs.isRegularFile()) {
          throw new IOException(file + " is " + (attrs.isSymbolicLink() ? "a symbolic link" : "not a regular file")
              + "; a bundle holds only regular files: replace it with the file itself");
        }
        files.add(file);
        return FileVisitResult.CONTINUE;
      }
    });
    Collections.sort(files);
    return files;
  }

  private static void putBytes(TarArchiveOutputStream tar, String name, byte[] bytes, Instant at)
      throws IOException {
    tar.putArchiveEntry(entry(name, bytes.length, at));
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  /** Owner, group and time fixed, so the same inputs give the same tar. */
  private static TarArchiveEntry entry(String name, long size, Instant at) {
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setSize(size);
    e.setMode(FILE_MODE);
    e.setModTime(at.toEpochMilli());
    e.setUserId(0);
    e.setGroupId(0);
    e.setUserName("");
    e.setGroupName("");
    return e;
  }

  private static OutputStream nonClosing(OutputStream out) {
    return new java.io.FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }

  /** Counts bytes as they are read, for the progress display. */
  private static final class ProgressInputStream extends java.io.FilterInputStream {
    private final Progress progress;

    ProgressInputStream(InputStream in, Progress progress) {
      super(in);
      this.progress = progress;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) progress.advance(n);
      return n;
    }
  }
}
