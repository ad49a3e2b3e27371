package dev.airlock.audit;

import dev.airlock.audit.proof.TreeHashes;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Every complete subtree hash of the tree, one file per level: {@code tree/level-LL.hashes} holds,
 * at offset {@code 32 * i}, the root of leaves {@code [i * 2^LL, (i + 1) * 2^LL)}; level 00 holds
 * the leaf hashes. About 2 x 32 bytes per entry, and any proof reads O(log n) of them.
 *
 * <p>These files are derived data: they are fsync'd before each checkpoint is written, and on open
 * everything past the last checkpoint is recomputed from the segments. So they never need an fsync
 * on the append path.
 */
final class TreeStore implements TreeHashes, Closeable {
  static final String DIRECTORY = "tree";

  /** Levels a 64-bit index space can need. */
  static final int MAX_LEVELS = 64;

  private final Path dir;
  private final boolean writable;
  private final FileChannel[] levels = new FileChannel[MAX_LEVELS];
  /** Number of leaves whose hashes (and parents) are in the files. Writer only. */
  private long size;
  /** The last node written at each level, the left sibling a new node may need. */
  private final byte[][] lastNode = new byte[MAX_LEVELS][];

  private TreeStore(Path dir, boolean writable) {
    this.dir = dir;
    this.writable = writable;
  }

  static TreeStore open(Path logDir, boolean writable) throws IOException {
    Path dir = logDir.resolve(DIRECTORY);
    if (writable) {
      Files.createDirectories(dir);
    }
    return new TreeStore(dir, writable);
  }

  static Path levelFile(Path dir, int level) {
    return dir.resolve(String.format("level-%02d.hashes", level));
  }

  private FileChannel channel(int level) throws IOException {
    FileChannel ch = levels[level];
    if (ch == null) {
      synchronized (this) {
        ch = levels[level];
        if (ch == null) {
          Path p = levelFile(dir, level);
          ch = writable
              ? FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE)
              : FileChannel.open(p, StandardOpenOption.READ);
          levels[level] = ch;
        }
      }
    }
    return ch;
  }

  /** Number of nodes stored at {@code level} (0 if the file does not exist). */
  long stored(int level) throws IOException {
    if (levels[level] == null && !Files.exists(levelFile(dir, level))) {
      return 0;
    }
    return channel(level).size() / MerkleHash.SIZE;
  }

  @Override
  public byte[] node(int level, long index) {
    try {
      ByteBuffer b = ByteBuffer.allocate(MerkleHash.SIZE);
      FileChannel ch = channel(level);
      long pos = index * MerkleHash.SIZE;
      while (b.hasRemaining()) {
        int r = ch.read(b, pos + b.position());
        if (r < 0) {
          throw new AuditLogException("tree file " + levelFile(dir, level).getFileName() + " has no node " + index
              + "; it is incomplete (reopen the log to rebuild it)");
        }
      }
      return b.array();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tree level " + level + " node " + index, e);
    }
  }

  long size() {
    return size;
  }

  /**
   * Keeps the stored state for the first {@code trusted} leaves and drops the rest. The caller has
   * checked (against a signed checkpoint) that the stored nodes up to there are right.
   */
  void resetTo(long trusted) throws IOException {
    for (int l = 0; l < MAX_LEVELS; l++) {
      long count = trusted >>> l;
      if (count == 0 && stored(l) == 0) {
        lastNode[l] = null;
        continue;
      }
      FileChannel ch = channel(l);
      if (ch.size() < count * MerkleHash.SIZE) {
        throw new IllegalStateException("level " + l + " holds fewer nodes than trusted size " + trusted + " needs");
      }
      ch.truncate(count * MerkleHash.SIZE);
      lastNode[l] = count == 0 ? null : node(l, count - 1);
    }
    size = trusted;
  }

  /** The state a batch can be rolled back to. */
  record Mark(long size, byte[][] lastNode) {}

  Mark mark() {
    return new Mark(size, lastNode.clone());
  }

  /** Appends leaf hashes and every parent they complete (no fsync). */
  void append(List<byte[]> leafHashes) throws IOException {
    ByteBuffer[] out = new ByteBuffer[MAX_LEVELS];
    long[] firstPos = new long[MAX_LEVELS];
    long n = size;
    for (byte[] h : leafHashes) {
      int level = 0;
      long i = n;
      byte[] node = h;
      while (true) {
        if (out[level] == null) {
          // Sized for this batch: a batch of a few entries touches every level, so a fixed minimum per
          // level was most of what an append allocated.
          out[level] = ByteBuffer.allocate(((leafHashes.size() >>> level) + 2) * MerkleHash.SIZE);
          firstPos[level] = i;
        }
        if (!out[level].hasRemaining()) {
          ByteBuffer bigger = ByteBuffer.allocate(out[level].capacity() * 2);
          out[level].flip();
          bigger.put(out[level]);
          out[level] = bigger;
        }
        out[level].put(node);
        byte[] left = lastNode[level];
        lastNode[level] = node;
        if ((i & 1) == 0) {
          break;
        }
        node = MerkleHash.node(left, node);
        level++;
        i >>>= 1;
      }
      n++;
    }
    for (int l = 0; l < MAX_LEVELS; l++) {
      if (out[l] != null) {
        out[l].flip();
        Frames.writeFully(channel(l), out[l], firstPos[l] * MerkleHash.SIZE);
      }
    }
    size = n;
  }

  void rollback(Mark mark) {
    size = mark.size();
    System.arraycopy(mark.lastNode(), 0, lastNode, 0, MAX_LEVELS);
    for (int l = 0; l < MAX_LEVELS; l++) {
      if (levels[l] != null) {
        try {
          levels[l].truncate((size >>> l) * MerkleHash.SIZE);
        } catch (IOException e) {
          // Freed on the next open: nodes past the last checkpoint are recomputed.
        }
      }
    }
  }

  /** fsync of every level, before a checkpoint that vouches for them is written. */
  void force() throws IOException {
    for (FileChannel ch : levels) {
      if (ch != null) {
        ch.force(false);
      }
    }
  }

  @Override
  public void close() throws IOException {
    for (FileChannel ch : levels) {
      if (ch != null) {
        ch.close();
      }
    }
  }
}
