package dev.airlock.audit;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * The leaves on disk: {@code segments/<first index, 20 digits>.seg} files of frames, each with a
 * {@code .idx} companion holding one big-endian u64 file offset per entry. Segments are only ever
 * appended to; a new one starts when the current one reaches the configured size. Only the last
 * segment can have a torn tail; earlier ones were fsync'd completely (with their index) before the
 * next was created.
 *
 * <p>The segment being written is zero-filled ahead of its end, {@link #PREALLOCATE} bytes at a time:
 * a batch then overwrites blocks the file already has, and its fdatasync writes the data alone. On a
 * file that grows with every batch each fdatasync also commits the file system's journal (the new
 * size and blocks), and that commit carries whatever else on the disk is waiting for it, the search
 * index's writes included. The zeros are not part of the log: a zero-filled tail after the last
 * frame is free space, dropped when the segment is sealed or the log closed, and on opening after a
 * crash; readers stop at it as at any end.
 */
final class SegmentStore implements Closeable {
  static final String DIRECTORY = "segments";
  static final String DATA_SUFFIX = ".seg";
  static final String INDEX_SUFFIX = ".idx";

  /** Zero-filled space kept ahead of the current segment's end (at most up to the segment size). */
  static final int PREALLOCATE = 1024 * 1024;

  private static final ByteBuffer ZEROS = ByteBuffer.allocate(64 * 1024).asReadOnlyBuffer();

  /** One segment file and its offset index. */
  static final class Segment {
    final long first;
    final Path data;
    final Path index;
    final FileChannel dataCh;
    final FileChannel indexCh;
    volatile long count;
    volatile long end;
    /** The data file's length: {@link #end} plus the zero-filled space after it. */
    long allocated;

    Segment(long first, Path data, Path index, FileChannel dataCh, FileChannel indexCh, long count, long end) {
      this.first = first;
      this.data = data;
      this.index = index;
      this.dataCh = dataCh;
      this.indexCh = indexCh;
      this.count = count;
      this.end = end;
      this.allocated = end;
    }
  }

  /** What the store found and did while opening, for the log's recovery report. */
  record Recovery(long entries, long tornBytesRemoved) {}

  private final Path dir;
  private final long segmentBytes;
  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
  private volatile Segment current;
  private Recovery recovery;

  private SegmentStore(Path dir, long segmentBytes) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
  }

  static Path fileName(Path dir, long first, String suffix) {
    return dir.resolve(String.format("%020d%s", first, suffix));
  }

  /** Lists segment data files by first index; throws on a name that is not ours. */
  static TreeMap<Long, Path> list(Path dir) throws IOException {
    TreeMap<Long, Path> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (!name.endsWith(DATA_SUFFIX)) {
          continue;
        }
        String digits = name.substring(0, name.length() - DATA_SUFFIX.length());
        if (!digits.matches("[0-9]{20}")) {
          throw new AuditLogException("unexpected file " + p + " in the segment directory: segment files are named "
              + "<20-digit first index>.seg; move it elsewhere");
        }
        out.put(Long.parseLong(digits), p);
      }
    }
    return out;
  }

  /** Opens for appending: validates every segment, truncates a torn tail of the last one. */
  static SegmentStore openForWriting(Path logDir, long segmentBytes) throws IOException {
    Path dir = logDir.resolve(DIRECTORY);
    Files.createDirectories(dir);
    SegmentStore store = new SegmentStore(dir, segmentBytes);
    TreeMap<Long, Path> files = list(dir);
    long expected = 0;
    long torn = 0;
    List<Map.Entry<Long, Path>> entries = new ArrayList<>(files.entrySet());
    for (int i = 0; i < entries.size(); i++) {
      long first = entries.get(i).getKey();
      if (first != expected) {
        throw new AuditLogException(first > expected
            ? "segment file for entries from " + expected + " is missing (the next one, "
                + entries.get(i).getValue().getFileName() + ", starts at " + first + "): entries " + expected
                + ".." + (first - 1) + " are lost; restore the segment from backup before opening the log"
            : "segment " + entries.get(i).getValue().getFileName() + " starts at " + first
                + " but the previous segment ends at " + (expected - 1) + ": segments overlap; restore from backup");
      }
      boolean last = i == entries.size() - 1;
      Segment seg = store.openSegment(first, !last);
      if (last) {
        torn = store.recoverTail(seg);
      }
      store.segments.put(first, seg);
      expected = first + seg.count;
    }
    if (store.segments.isEmpty()) {
      store.createSegment(0);
    }
    store.current = store.segments.lastEntry().getValue();
    store.recovery = new Recovery(expected, torn);
    return store;
  }

  Recovery recovery() {
    return recovery;
  }

  private Segment openSegment(long first, boolean sealed) throws IOException {
    Path data = fileName(dir, first, DATA_SUFFIX);
    Path index = fileName(dir, first, INDEX_SUFFIX);
    FileChannel dataCh = FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileChannel indexCh = FileChannel.open(index, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    long size = dataCh.size();
    Segment seg = new Segment(first, data, index, dataCh, indexCh, 0, size);
    if (sealed) {
      if (!indexMatches(seg)) {
        rebuildIndexStrict(seg);
      } else {
        seg.count = indexCh.size() / 8;
      }
    }
    return seg;
  }

  /** A sealed segment's index is trusted when its last offset points at a valid frame ending at EOF. */
  private static boolean indexMatches(Segment seg) throws IOException {
    long len = seg.indexCh.size();
    if (len == 0 || len % 8 != 0) {
      return seg.end == 0 && len == 0;
    }
    ByteBuffer b = ByteBuffer.allocate(8);
    Frames.readFully(seg.indexCh, b, len - 8);
    long off = b.getLong(0);
    byte[] frame = Frames.readAt(seg.dataCh, off, seg.end);
    return frame != null && off + frame.length + Frames.OVERHEAD == seg.end;
  }

  private void rebuildIndexStrict(Segment seg) throws IOException {
    FrameScanner scan = new FrameScanner(seg.dataCh, 0, seg.end);
    List<Long> offsets = new ArrayList<>();
    while (true) {
      long off = scan.offset();
      byte[] f = scan.next();
      if (f == null) {
        if (!scan.atEnd()) {
          throw new AuditLogException("segment " + seg.data.getFileName() + " is damaged at entry "
              + (seg.first + offsets.size()) + ": " + scan.problem() + "; restore it from backup");
        }
        break;
      }
      offsets.add(off);
    }
    writeIndex(seg, offsets);
  }

  /** Scans the last segment, truncates a torn tail; refuses damage that is not at the tail. */
  private long recoverTail(Segment seg) throws IOException {
    FrameScanner scan = new FrameScanner(seg.dataCh, 0, seg.end);
    List<Long> offsets = new ArrayList<>();
    while (true) {
      long off = scan.offset();
      byte[] f = scan.next();
      if (f == null) {
        break;
      }
      offsets.add(off);
    }
    long removed = 0;
    if (!scan.atEnd()) {
      long bad = scan.offset();
      boolean preallocated = Frames.allZero(seg.dataCh, bad, seg.end);
      if (!preallocated && Frames.wholeFrameAfter(seg.dataCh, bad, seg.end)) {
        throw new AuditLogException("segment " + seg.data.getFileName() + " is damaged at entry "
            + (seg.first + offsets.size()) + " (" + scan.problem() + ") and valid entries follow it, so this is "
            + "not an interrupted write; restore the segment from backup (run 'airlock audit verify' for details)");
      }
      removed = preallocated ? 0 : seg.end - bad;
      seg.dataCh.truncate(bad);
      seg.dataCh.force(true);
      seg.end = bad;
      seg.allocated = bad;
    }
    writeIndex(seg, offsets);
    return removed;
  }

  private static void writeIndex(Segment seg, List<Long> offsets) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(offsets.size() * 8);
    for (long o : offsets) {
      b.putLong(o);
    }
    b.flip();
    seg.indexCh.truncate(0);
    Frames.writeFully(seg.indexCh, b, 0);
    seg.indexCh.force(true);
    seg.count = offsets.size();
  }

  private Segment createSegment(long first) throws IOException {
    Path data = fileName(dir, first, DATA_SUFFIX);
    Path index = fileName(dir, first, INDEX_SUFFIX);
    FileChannel dataCh = FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
    FileChannel indexCh = FileChannel.open(index, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    Segment seg = new Segment(first, data, index, dataCh, indexCh, 0, 0);
    DirectorySync.force(dir);
    segments.put(first, seg);
    return seg;
  }

  long size() {
    Segment c = current;
    return c.first + c.count;
  }

  /** The leaf at {@code index}, checked against its checksum. */
  byte[] read(long index) throws IOException {
    Map.Entry<Long, Segment> e = segments.floorEntry(index);
    if (e == null || index >= size() || index < 0) {
      throw new IndexOutOfBoundsException("entry " + index + " is not in the log (size " + size() + ")");
    }
    Segment seg = e.getValue();
    ByteBuffer b = ByteBuffer.allocate(8);
    Frames.readFully(seg.indexCh, b, (index - seg.first) * 8);
    long off = b.getLong(0);
    byte[] leaf = Frames.readAt(seg.dataCh, off, seg.end);
    if (leaf == null) {
      throw new AuditLogException("entry " + index + " in segment " + seg.data.getFileName()
          + " fails its checksum: the file was altered; run 'airlock audit verify' and restore from backup");
    }
    return leaf;
  }

  /** Starts a batch: rolls to a new segment first if the current one is full. */
  Mark begin() throws IOException {
    if (current.end >= segmentBytes && current.count > 0) {
      roll();
    }
    Segment seg = current;
    return new Mark(seg, seg.end, seg.count);
  }

  /**
   * Writes a batch of framed leaves ({@link Frames#frame}, built by the appending threads) after
   * the current end (no fsync) and returns the bytes written. If this or {@link #force} fails,
   * {@link #rollback} restores the previous state.
   */
  long write(Mark mark, List<byte[]> frames) throws IOException {
    Segment seg = mark.segment();
    int bytes = 0;
    for (byte[] f : frames) {
      bytes += f.length;
    }
    ByteBuffer data = ByteBuffer.allocate(bytes);
    ByteBuffer idx = ByteBuffer.allocate(frames.size() * 8);
    for (byte[] f : frames) {
      idx.putLong(mark.end() + data.position());
      data.put(f);
    }
    data.flip();
    idx.flip();
    if (mark.end() + bytes > seg.allocated) {
      preallocate(seg, Math.max(mark.end() + bytes, Math.min(mark.end() + PREALLOCATE, segmentBytes)));
    }
    Frames.writeFully(seg.dataCh, data, mark.end());
    Frames.writeFully(seg.indexCh, idx, mark.count() * 8);
    return bytes;
  }

  /**
   * Zero-fills the segment's data file up to {@code length}. Not fsync'd on its own: the next
   * batch's fdatasync makes the new length durable with that batch. If it fails (a full disk), the
   * batch is written at the end as without it, and fails or succeeds there.
   */
  private static void preallocate(Segment seg, long length) {
    try {
      for (long at = seg.allocated; at < length; ) {
        ByteBuffer z = ZEROS.duplicate();
        z.limit((int) Math.min(z.capacity(), length - at));
        Frames.writeFully(seg.dataCh, z, at);
        at += z.limit();
      }
    } catch (IOException e) {
      // the batch's own write reports a full disk
    }
    try {
      seg.allocated = seg.dataCh.size();
    } catch (IOException e) {
      seg.allocated = seg.end;
    }
  }

  /** Makes the written batch durable (fdatasync of the segment). */
  void force(Mark mark) throws IOException {
    mark.segment.dataCh.force(false);
  }

  /** Publishes a durable batch: readers and {@link #size} see it from now on. */
  void commit(Mark mark, int entries, long bytes) {
    Segment seg = mark.segment;
    seg.end = mark.end + bytes;
    seg.count = mark.count + entries;
  }

  void rollback(Mark mark) {
    try {
      mark.segment.allocated = mark.end;
      mark.segment.dataCh.truncate(mark.end);
      mark.segment.indexCh.truncate(mark.count * 8);
    } catch (IOException e) {
      // Truncating frees space, so it works on a full disk; if it does not, recovery on the next
      // open treats the unacknowledged bytes as a torn tail.
    }
  }

  /** Where a batch started, to roll it back. */
  record Mark(Segment segment, long end, long count) {}

  private void roll() throws IOException {
    Segment old = current;
    dropPreallocated(old);
    old.dataCh.force(true);
    old.indexCh.force(true);
    current = createSegment(old.first + old.count);
  }

  List<Segment> segments() {
    return List.copyOf(segments.values());
  }

  /** Cuts the zero-filled space after the segment's last frame: a sealed or closed segment ends at its end. */
  private static void dropPreallocated(Segment seg) throws IOException {
    if (seg.allocated > seg.end) {
      seg.dataCh.truncate(seg.end);
      seg.allocated = seg.end;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (current != null) {
        dropPreallocated(current);
        current.dataCh.force(true);
      }
    } finally {
      for (Segment s : segments.values()) {
        s.dataCh.close();
        s.indexCh.close();
      }
    }
  }
}
