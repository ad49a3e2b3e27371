package dev.airlock.vault.signing;

import java.util.List;

/**
 * How a model directory was cut into signed resources, as recorded in the statement's
 * {@code predicate.serialization}: whole {@link Files files}, or fixed-size {@link Shards shards}
 * of files. Both hash with SHA-256, the only hash Airlock signs or verifies.
 */
public sealed interface Serialization {
  String HASH_TYPE = "sha256";

  /** Whether the signer hashed symbolic links (Airlock never follows them, see ModelHasher). */
  boolean allowSymlinks();

  /** Paths, relative to the model directory, that the signer excluded and the verifier skips. */
  List<String> ignorePaths();

  /** One resource per file, named by its relative POSIX path. */
  record Files(boolean allowSymlinks, List<String> ignorePaths) implements Serialization {
    public Files {
      ignorePaths = List.copyOf(ignorePaths);
    }

    public static Files of(List<String> ignorePaths) {
      return new Files(false, ignorePaths);
    }
  }

  /** One resource per {@code shardSize}-byte piece of each file, named {@code path:start:end}. */
  record Shards(long shardSize, boolean allowSymlinks, List<String> ignorePaths)
      implements Serialization {
    /** The reference tool's default shard size: 1 GB. */
    public static final long DEFAULT_SHARD_SIZE = 1_000_000_000L;

    public Shards {
      if (shardSize <= 0) {
        throw new IllegalArgumentException("shard size must be positive, got " + shardSize);
      }
      ignorePaths = List.copyOf(ignorePaths);
    }
  }
}
