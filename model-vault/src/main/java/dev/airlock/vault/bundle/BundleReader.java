package dev.airlock.vault.bundle;

import dev.airlock.vault.Progress;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.bundle.BundleRejectedException.Problem;
import dev.airlock.vault.trust.TrustAnchor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a bundle in one sequential pass: the manifest and its signature first (checked before
 * any file is touched), then every file, hashed while it is handed to a sink. Every rule of the
 * format is enforced here, so the vault, the CLI's verify and the server all refuse the same
 * bundles with the same words.
 */
public final class BundleReader {
  /** A manifest is JSON text; anything bigger than this is not one. */
  static final int MAX_MANIFEST_BYTES = 64 << 20;
  static final int MAX_SIGNATURE_BYTES = 1 << 20;
  /** Read-ahead from the medium; large reads bypass it and go straight to the buffers. */
  private static final int READ_AHEAD = 1 << 20;

  /** What the caller does with a bundle once its manifest is verified. */
  public interface Listener {
    /**
     * Called once, after the manifest's signature checked and before any file is read. Returns
     * false to stop reading (for example, the bundle is already in the vault).
     */
    boolean manifestVerified(VerifiedManifest manifest);

    /** Where a declared file's bytes go; empty to hash them only. */
    Optional<FileSink> sinkFor(BundleFile file) throws IOException;
  }

  /** What a read found: the verified manifest, and whether the files were read (and matched). */
  public record Result(VerifiedManifest manifest, boolean filesRead) {}

  private BundleReader() {}

  /** Reads only the first two entries, checking nothing: for {@code bundle inspect}. */
  public static Unverified readManifestUnverified(InputStream in) {
    try {
      TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(in, READ_AHEAD));
      byte[] manifest = readSmallEntry(tar, BundlePaths.MANIFEST, MAX_MANIFEST_BYTES);
      byte[] signature = readSmallEntry(tar, BundlePaths.SIGNATURE, MAX_SIGNATURE_BYTES);
      return new Unverified(BundleManifest.parse(manifest), manifest, signature);
    } catch (IOException e) {
      throw corrupt(e, BundlePaths.MANIFEST);
    }
  }

  /** The manifest and signature as found, before any check. */
  public record Unverified(BundleManifest manifest, byte[] manifestJson, byte[] signatureJson) {}

  /**
   * Reads and checks the whole bundle.
   *
   * @throws BundleRejectedException for anything that is not a valid bundle signed by one of the
   *     trusted transfer keys, or that differs from its manifest
   */
  public static Result read(InputStream in, List<TrustAnchor> transferAnchors, Instant now,
      Listener listener, Progress progress) throws IOException {
    TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(in, READ_AHEAD));
    byte[] manifestJson;
    byte[] signatureJson;
    try {
      manifestJson = readSmallEntry(tar, BundlePaths.MANIFEST, MAX_MANIFEST_BYTES);
      signatureJson = readSmallEntry(tar, BundlePaths.SIGNATURE, MAX_SIGNATURE_BYTES);
    } catch (IOException e) {
      throw corrupt(e, BundlePaths.MANIFEST);
    }
    // The signature is checked on the raw bytes before the manifest is believed.
    BundleManifest unverified = BundleManifest.parse(manifestJson);
    TrustAnchor signer = TransferSignature.verify(manifestJson, signatureJson, transferAnchors, now);
    VerifiedManifest verified = new VerifiedManifest(unverified, Sha256.of(manifestJson), signer);
    if (!listener.manifestVerified(verified)) return new Result(verified, false);

    Map<String, BundleFile> declared = new LinkedHashMap<>();
    for (BundleFile f : unverified.files()) declared.put(f.path(), f);
    Set<String> seen = new HashSet<>();
    Map<BundleFile, CompletableFuture<Sha256>> digests = new HashMap<>();
    List<DigestPipeline.Lane> lanes = new ArrayList<>();
    progress.start("Reading " + unverified.modelName() + " " + unverified.modelVersion(),
        unverified.totalBytes());
    String current = BundlePaths.SIGNATURE;
    try (DigestPipeline pipeline = new DigestPipeline()) {
      try {
        for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
          current = entry.getName();
          requireRegularFile(entry);
          if (entry.isDirectory()) {
            BundlePaths.requireSafe(stripSlash(entry.getName()));
            continue;
          }
          String name = BundlePaths.requireSafe(entry.getName());
          if (!seen.add(name)) {
            throw new BundleRejectedException(Problem.DUPLICATE_ENTRY, "the bundle holds '" + name
                + "' twice; a bundle holds each file once. Recreate it with 'airlock bundle create'.");
          }
          BundleFile file = declared.get(name);
          if (file == null) {
            throw new BundleRejectedException(Problem.UNDECLARED_FILE, "the bundle holds '" + name
                + "', which its signed manifest does not declare; files cannot be added to a"
                + " signed bundle. Recreate the bundle with the file, or without it.");
          }
          if (entry.getSize() != file.size()) {
            throw new BundleRejectedException(Problem.CONTENT_MISMATCH, "'" + name + "' is "
                + entry.getSize() + " bytes in the tar header but the signed manifest says "
                + file.size() + " bytes: the bundle was altered or damaged. Ask for a fresh copy.");
          }
          DigestPipeline.Lane lane = pipeline.open(name, listener.sinkFor(file));
          lanes.add(lane);
          long remaining = file.size();
          while (remaining > 0) {
            byte[] buffer = pipeline.buffer();
            int n = readUpTo(tar, buffer, (int) Math.min(buffer.length, remaining));
            if (n <= 0) {
              pipeline.release(buffer);
              throw new BundleRejectedException(Problem.CORRUPT, "the bundle is cut short: '" + name
                  + "' ends after " + (file.size() - remaining) + " of " + file.size()
                  + " bytes. Copy the bundle again from the original medium.");
            }
            lane.submit(buffer, n);
            remaining -= n;
            progress.advance(n);
          }
          digests.put(file, lane.finish());
        }
      } catch (DigestPipeline.SinkFailure e) {
        throw e;
      } catch (IOException e) {
        throw corrupt(e, current);
      }
      List<String> missing = declared.keySet().stream().filter(p -> !seen.contains(p)).toList();
      if (!missing.isEmpty()) {
        throw new BundleRejectedException(Problem.MISSING_FILE, "the signed manifest declares "
            + missing.size() + " file(s) the bundle does not hold, first '" + missing.get(0)
            + "': the bundle is incomplete (cut short, or files were removed). Copy it again"
            + " from the original medium.");
      }
      for (var e : digests.entrySet()) {
        Sha256 actual = await(e.getValue(), e.getKey().path());
        if (!actual.equals(e.getKey().sha256())) {
          throw new BundleRejectedException(Problem.CONTENT_MISMATCH, "'" + e.getKey().path()
              + "' has SHA-256 " + actual.hex() + " but the signed manifest says "
              + e.getKey().sha256().hex() + ": the file was altered or damaged. Ask for a fresh copy.");
        }
      }
      for (DigestPipeline.Lane lane : lanes) lane.complete();
    } finally {
      progress.finish();
    }
    return new Result(verified, true);
  }

  private static Sha256 await(CompletableFuture<Sha256> f, String path) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while hashing " + path);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) throw io;
      throw new IOException("hashing " + path + " failed: " + e.getCause(), e.getCause());
    }
  }

  /** Only regular files (and directories, which carry nothing) may appear in a bundle. */
  private static void requireRegularFile(TarArchiveEntry e) {
    String kind = e.isSymbolicLink() ? "a symbolic link to '" + e.getLinkName() + "'"
        : e.isLink() ? "a hard link to '" + e.getLinkName() + "'"
        : e.isCharacterDevice() ? "a character device"
        : e.isBlockDevice() ? "a block device"
        : e.isFIFO() ? "a FIFO"
        : e.isSparse() ? "a sparse file"
        : e.isDirectory() || e.isFile() ? null
        : "an entry of tar type '" + (char) typeFlag(e) + "'";
    if (kind != null) {
      throw new BundleRejectedException(Problem.UNSUPPORTED_ENTRY, "'" + BundlePaths.printable(
          e.getName()) + "' is " + kind + "; a bundle holds only regular files. Replace links with"
          + " the files they point to and recreate the bundle.");
    }
  }

  private static byte typeFlag(TarArchiveEntry e) {
    // Commons Compress does not expose the raw flag; recover it from the header it would write.
    byte[] header = new byte[512];
    e.writeEntryHeader(header);
    return header[156];
  }

  private static byte[] readSmallEntry(TarArchiveInputStream tar, String expected, int max)
      throws IOException {
    TarArchiveEntry e = tar.getNextEntry();
    if (e == null || !expected.equals(e.getName())) {
      throw new BundleRejectedException(Problem.NOT_A_BUNDLE, "this is not an Airlock bundle: its "
          + (expected.equals(BundlePaths.MANIFEST) ? "first" : "second") + " entry should be '"
          + expected + "' but is " + (e == null ? "missing" : "'" + BundlePaths.printable(e.getName()) + "'")
          + ". Create bundles with 'airlock bundle create'.");
    }
    requireRegularFile(e);
    if (e.isDirectory() || e.getSize() > max) {
      throw new BundleRejectedException(Problem.NOT_A_BUNDLE, "'" + expected + "' is "
          + e.getSize() + " bytes, more than the " + max + " a bundle allows: not an Airlock bundle.");
    }
    byte[] bytes = new byte[(int) e.getSize()];
    int n = readUpTo(tar, bytes, bytes.length);
    if (n != bytes.length) {
      throw new BundleRejectedException(Problem.CORRUPT, "the bundle is cut short inside '"
          + expected + "'. Copy the bundle again from the original medium.");
    }
    return bytes;
  }

  /** Reads until {@code len} bytes or the end of the entry; returns how many. */
  private static int readUpTo(InputStream in, byte[] buffer, int len) throws IOException {
    int total = 0;
    while (total < len) {
      int n = in.read(buffer, total, len - total);
      if (n < 0) break;
      total += n;
    }
    return total;
  }

  private static String stripSlash(String name) {
    return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
  }

  private static BundleRejectedException corrupt(IOException e, String near) {
    if (e.getCause() instanceof BundleRejectedException r) return r;
    String message = String.valueOf(e.getMessage());
    if (e instanceof java.io.EOFException || message.contains("Truncated")) {
      return new BundleRejectedException(Problem.CORRUPT, "the bundle is cut short inside '"
          + BundlePaths.printable(near) + "' (" + message + ")."
          + " Copy the bundle again from the original medium.", e);
    }
    return new BundleRejectedException(Problem.CORRUPT, "the bundle is not a readable tar near '"
        + BundlePaths.printable(near) + "' (" + message + "): it is corrupt or cut short."
        + " Copy the bundle again from the original medium.", e);
  }
}
