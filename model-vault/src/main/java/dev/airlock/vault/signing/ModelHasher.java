package dev.airlock.vault.signing;

import static dev.airlock.vault.signing.VerificationException.Check.UNSAFE_PATH;

import dev.airlock.vault.Progress;
import dev.airlock.vault.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Hashes a model, a directory or a single regular file, into a {@link ModelManifest}: every
 * regular file (or shard of one), streamed in fixed-size chunks so weights never sit in memory, on
 * a small bounded pool so that many files use all cores.
 *
 * <p>A single file is one resource named {@link ModelManifest#SINGLE_FILE} ({@code .}), as the
 * reference tool names it; ignore paths, which name paths inside a directory, do not apply to it.
 *
 * <p>Symbolic links, devices, pipes and sockets are refused rather than followed or skipped: a
 * link could point outside the model, and a skipped entry would be an unsigned file.
 */
public final class ModelHasher {
  /** Paths the reference tool always leaves out: version-control metadata is not the model. */
  public static final List<String> DEFAULT_IGNORED =
      List.of(".git", ".gitattributes", ".github", ".gitignore");

  /** 1 MiB reads: large enough to stream at disk speed, small enough to bound memory per thread. */
  static final int CHUNK_SIZE = 1 << 20;

  /** Enough threads for every core, never more than the work items. */
  private static final int MAX_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());

  private final int threads;

  public ModelHasher() {
    this(MAX_THREADS);
  }

  public ModelHasher(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
  }

  private record Piece(String name, Path file, long start, long end) {}

  /**
   * Hashes {@code model} with {@code serialization}. A directory leaves out
   * {@link #DEFAULT_IGNORED}, the serialization's own ignore paths, and {@code moreIgnored} (all
   * relative to the directory); a single file is hashed whole, and {@code moreIgnored} must then
   * be empty.
   *
   * @throws IOException when {@code model} is missing, a symbolic link, or neither a regular file
   *     nor a directory
   * @throws IllegalArgumentException when {@code model} is a file and {@code moreIgnored} is not
   *     empty
   */
  public ModelManifest hash(Path model, Serialization serialization,
      Collection<String> moreIgnored, Progress progress)
      throws IOException, VerificationException {
    List<Path> files;
    boolean singleFile = isSingleFile(model);
    if (singleFile) {
      requireNoIgnorePaths(model, moreIgnored);
      files = List.of(model);
    } else {
      Set<String> ignored = new LinkedHashSet<>(DEFAULT_IGNORED);
      serialization.ignorePaths().forEach(p -> ignored.add(normalize(p)));
      moreIgnored.forEach(p -> ignored.add(normalize(p)));
      files = listFiles(model, ignored);
    }

    List<Piece> pieces = new ArrayList<>();
    for (Path file : files) {
      String name = singleFile ? ModelManifest.SINGLE_FILE : relativeName(model, file);
      long size = Files.size(file);
      switch (serialization) {
        case Serialization.Files f -> pieces.add(new Piece(name, file, 0, size));
        case Serialization.Shards s -> {
          for (long start = 0; start < size; start += s.shardSize()) {
            long end = Math.min(size, start + s.shardSize());
            pieces.add(new Piece(name + ":" + start + ":" + end, file, start, end));
          }
        }
      }
    }
    long total = pieces.stream().mapToLong(p -> p.end - p.start).sum();
    progress.start("Hashing", total);
    List<Resource> resources = hashAll(pieces, progress);
    progress.finish();
    resources.sort(Resource.CANONICAL_ORDER);
    String modelName = model.toAbsolutePath().normalize().getFileName() == null
        ? "model" : model.toAbsolutePath().normalize().getFileName().toString();
    return new ModelManifest(modelName, serialization, resources);
  }

  /**
   * True for a regular file, false for a directory (neither followed through a link).
   *
   * @throws IOException for anything else, saying what {@code model} is and what to give instead
   */
  public static boolean isSingleFile(Path model) throws IOException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(model, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(model.toString(), null,
          "no such model file or directory; give the model directory, or the model's single file");
    }
    if (attrs.isRegularFile()) return true;
    if (attrs.isDirectory()) return false;
    throw new IOException(model + (attrs.isSymbolicLink()
        ? " is a symbolic link; give the file or directory it points to"
        : " is neither a regular file nor a directory (a device, pipe or socket);"
            + " give the model directory, or the model's single file"));
  }

  /** Ignore paths name paths inside a directory: given for a single file, they are a mistake. */
  static void requireNoIgnorePaths(Path file, Collection<String> ignorePaths) {
    if (!ignorePaths.isEmpty()) {
      throw new IllegalArgumentException("ignore paths (" + String.join(", ", ignorePaths)
          + ") name paths inside a model directory, but " + file + " is a single file, signed"
          + " whole; leave out --ignore-paths");
    }
  }

  /** Strips {@code ./} and trailing slashes so {@code .git/} and {@code .git} match alike. */
  static String normalize(String ignorePath) {
    String p = ignorePath.replace('\\', '/');
    while (p.startsWith("./")) p = p.substring(2);
    while (p.endsWith("/") && p.length() > 1) p = p.substring(0, p.length() - 1);
    return p;
  }

  /** True when {@code name} is an ignored path or lies under one. */
  static boolean isIgnored(String name, Collection<String> ignored) {
    for (String i : ignored) {
      if (name.equals(i) || name.startsWith(i + "/")) return true;
    }
    return false;
  }

  static String relativeName(Path root, Path file) {
    List<String> parts = new ArrayList<>();
    root.relativize(file).forEach(p -> parts.add(p.toString()));
    return String.join("/", parts);
  }

  /** The regular files under {@code root}, minus ignored paths; links and devices refused. */
  static List<Path> listFiles(Path root, Set<String> ignored)
      throws IOException, VerificationException {
    List<Path> files = new ArrayList<>();
    List<String> unsafe = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        if (!dir.equals(root) && isIgnored(relativeName(root, dir), ignored)) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        String name = relativeName(root, file);
        if (isIgnored(name, ignored)) return FileVisitResult.CONTINUE;
        if (attrs.isSymbolicLink()) {
          unsafe.add(name + " is a symbolic link");
        } else if (attrs.isRegularFile()) {
          files.add(file);
        } else if (!attrs.isDirectory()) {
          unsafe.add(name + " is not a regular file (a device, pipe or socket)");
        }
        return FileVisitResult.CONTINUE;
      }
    });
    if (!unsafe.isEmpty()) {
      throw new VerificationException(UNSAFE_PATH, "the model directory " + root + " holds "
          + String.join("; ", unsafe) + ". Airlock hashes only regular files: replace links with"
          + " the files they point to, or ignore those paths (--ignore-paths)");
    }
    return files;
  }

  private List<Resource> hashAll(List<Piece> pieces, Progress progress) throws IOException {
    int poolSize = Math.min(threads, pieces.size());
    List<Resource> resources = new ArrayList<>(pieces.size());
    if (poolSize <= 1) {
      for (Piece p : pieces) resources.add(hashPiece(p, progress));
      return resources;
    }
    ExecutorService pool = Executors.newFixedThreadPool(poolSize, r -> {
      Thread t = new Thread(r, "model-hasher");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Resource>> futures = new ArrayList<>();
      for (Piece p : pieces) futures.add(pool.submit(() -> hashPiece(p, progress)));
      for (Future<Resource> f : futures) resources.add(f.get());
      return resources;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("hashing was interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) throw io;
      if (e.getCause() instanceof UncheckedIOException io) throw io.getCause();
      throw new IllegalStateException("hashing failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static Resource hashPiece(Piece piece, Progress progress) throws IOException {
    MessageDigest sha = Sha256.newDigest();
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK_SIZE, Math.max(1, piece.end - piece.start)));
    try (FileChannel channel = FileChannel.open(piece.file, StandardOpenOption.READ)) {
      long position = piece.start;
      while (position < piece.end) {
        buffer.clear();
        buffer.limit((int) Math.min(buffer.capacity(), piece.end - position));
        int n = channel.read(buffer, position);
        if (n < 0) {
          throw new IOException(piece.file + " shrank while being hashed (expected "
              + piece.end + " bytes, ended at " + position + "); hash it again when it is stable");
        }
        buffer.flip();
        sha.update(buffer);
        position += n;
        progress.advance(n);
      }
    }
    return new Resource(piece.name, new Sha256(HexFormat.of().formatHex(sha.digest())));
  }
}
