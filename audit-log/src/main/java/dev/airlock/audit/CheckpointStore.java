package dev.airlock.audit;

import dev.airlock.audit.note.CheckpointBody;
import dev.airlock.audit.note.NoteFormatException;
import dev.airlock.audit.note.SignedNote;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every checkpoint the log signed, in order, as frames of signed-note text in
 * {@code checkpoints/checkpoints.notes}. Appended and fsync'd after the tree files they vouch for.
 */
final class CheckpointStore implements Closeable {
  static final String DIRECTORY = "checkpoints";
  static final String FILE = "checkpoints.notes";

  /** A checkpoint as stored, with what parsing it said (readers report bad ones, not skip them). */
  record Stored(int ordinal, String note, Checkpoint checkpoint, String problem) {}

  private final FileChannel ch;
  private final List<Checkpoint> checkpoints = new CopyOnWriteArrayList<>();
  private long end;

  private CheckpointStore(FileChannel ch) {
    this.ch = ch;
  }

  static CheckpointStore openForWriting(Path logDir) throws IOException {
    Path dir = logDir.resolve(DIRECTORY);
    Files.createDirectories(dir);
    Path file = dir.resolve(FILE);
    boolean created = !Files.exists(file);
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    if (created) {
      DirectorySync.force(dir);
    }
    CheckpointStore store = new CheckpointStore(ch);
    FrameScanner scan = new FrameScanner(ch, 0, ch.size());
    byte[] f;
    while ((f = scan.next()) != null) {
      Stored s = parse(store.checkpoints.size(), new String(f, StandardCharsets.UTF_8));
      if (s.checkpoint() == null) {
        throw new AuditLogException("checkpoint " + s.ordinal() + " in " + file + " is malformed: " + s.problem()
            + "; restore the file from backup");
      }
      store.checkpoints.add(s.checkpoint());
    }
    if (!scan.atEnd()) {
      // An interrupted checkpoint write: nothing acknowledged depends on it.
      ch.truncate(scan.offset());
      ch.force(true);
    }
    store.end = scan.offset();
    return store;
  }

  /** Reads the checkpoints of a log without changing anything; a torn last frame is ignored. */
  static List<Stored> readAll(Path logDir) throws IOException {
    Path file = logDir.resolve(DIRECTORY).resolve(FILE);
    List<Stored> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      FrameScanner scan = new FrameScanner(ch, 0, ch.size());
      byte[] f;
      while ((f = scan.next()) != null) {
        out.add(parse(out.size(), new String(f, StandardCharsets.UTF_8)));
      }
    }
    return out;
  }

  static Stored parse(int ordinal, String note) {
    try {
      SignedNote signed = SignedNote.parse(note);
      CheckpointBody body = CheckpointBody.parse(signed.text());
      return new Stored(ordinal, note, new Checkpoint(body.origin(), body.size(), body.rootHash(), note), "");
    } catch (NoteFormatException e) {
      return new Stored(ordinal, note, null, e.getMessage());
    }
  }

  List<Checkpoint> all() {
    return List.copyOf(checkpoints);
  }

  Checkpoint latest() {
    return checkpoints.isEmpty() ? null : checkpoints.get(checkpoints.size() - 1);
  }

  void append(Checkpoint c) throws IOException {
    byte[] frame = Frames.frame(c.signedNote().getBytes(StandardCharsets.UTF_8));
    try {
      Frames.writeFully(ch, ByteBuffer.wrap(frame), end);
      ch.force(false);
    } catch (IOException e) {
      try {
        ch.truncate(end);
      } catch (IOException ignored) {
        // the torn frame is dropped on the next open
      }
      throw e;
    }
    end += frame.length;
    checkpoints.add(c);
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
