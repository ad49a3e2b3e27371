package dev.airlock.audit;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The subject data keys. One random AES-256 key per (subject tag, record type, UTC day): erasing
 * a subject destroys all keys with its tag; retention destroys the keys of a type whose day is past
 * the type's retention period. Keys are stored wrapped (AES-256-GCM under the log's wrap key, the
 * key's identity as associated data) as frames in {@code keys/data-keys.journal}.
 *
 * <p>A new key is appended and fsync'd before any entry sealed with it is acknowledged. Destroying
 * keys rewrites the journal without them (write, fsync, atomic rename), then overwrites the old
 * file's blocks with zeros through a still-open handle.
 */
final class KeyRing implements Closeable {
  static final String DIRECTORY = "keys";
  static final String FILE = "data-keys.journal";
  private static final int KEY_BYTES = 32;
  private static final int GCM_TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A data key and what it covers. */
  static final class DataKey {
    final byte[] id;
    final byte[] tag;
    final String type;
    final long epochDay;
    final byte[] key;
    volatile boolean destroyed;

    DataKey(byte[] id, byte[] tag, String type, long epochDay, byte[] key) {
      this.id = id;
      this.tag = tag;
      this.type = type;
      this.epochDay = epochDay;
      this.key = key;
    }
  }

  private record Scope(String tagHex, String type, long epochDay) {}

  private final Path dir;
  private final Path file;
  private final byte[] wrapKey;
  private FileChannel ch;
  private long end;
  private final Map<String, DataKey> byId = new ConcurrentHashMap<>();
  private final Map<Scope, DataKey> byScope = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<DataKey> pending = new ConcurrentLinkedQueue<>();

  private KeyRing(Path dir, byte[] wrapKey) {
    this.dir = dir;
    this.file = dir.resolve(FILE);
    this.wrapKey = wrapKey;
  }

  static KeyRing open(Path logDir, byte[] wrapKey) throws IOException {
    Path dir = logDir.resolve(DIRECTORY);
    Files.createDirectories(dir);
    KeyRing ring = new KeyRing(dir, wrapKey);
    boolean created = !Files.exists(ring.file);
    ring.ch = FileChannel.open(ring.file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    if (created) {
      DirectorySync.force(dir);
    }
    FrameScanner scan = new FrameScanner(ring.ch, 0, ring.ch.size());
    byte[] f;
    while ((f = scan.next()) != null) {
      DataKey k = ring.unwrap(f);
      ring.byId.put(HexFormat.of().formatHex(k.id), k);
      ring.byScope.put(new Scope(HexFormat.of().formatHex(k.tag), k.type, k.epochDay), k);
    }
    if (!scan.atEnd()) {
      // A key written but never fsync'd: no acknowledged entry uses it.
      ring.ch.truncate(scan.offset());
      ring.ch.force(true);
    }
    ring.end = scan.offset();
    return ring;
  }

  /** The key for this scope, created (and queued for durable storage) if needed. */
  DataKey keyFor(byte[] tag, String type, long epochDay) {
    Scope scope = new Scope(HexFormat.of().formatHex(tag), type, epochDay);
    while (true) {
      DataKey k = byScope.computeIfAbsent(scope, s -> {
        byte[] id = new byte[AuditLeaf.KEY_ID_BYTES];
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(key);
        DataKey created = new DataKey(id, tag.clone(), type, epochDay, key);
        byId.put(HexFormat.of().formatHex(id), created);
        pending.add(created);
        return created;
      });
      if (!k.destroyed) {
        return k;
      }
      byScope.remove(scope, k);
    }
  }

  Optional<DataKey> byId(byte[] id) {
    DataKey k = byId.get(HexFormat.of().formatHex(id));
    return k == null || k.destroyed ? Optional.empty() : Optional.of(k);
  }

  /** Writes and fsyncs keys created since the last call. Writer thread only. */
  void flushPending() throws IOException {
    List<DataKey> batch = new ArrayList<>();
    DataKey k;
    while ((k = pending.poll()) != null) {
      if (!k.destroyed) {
        batch.add(k);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (DataKey d : batch) {
      out.writeBytes(Frames.frame(wrap(d)));
    }
    try {
      Frames.writeFully(ch, ByteBuffer.wrap(out.toByteArray()), end);
      ch.force(false);
    } catch (IOException e) {
      try {
        ch.truncate(end);
      } catch (IOException ignored) {
        // dropped as a torn tail on the next open
      }
      pending.addAll(batch); // retried with the next batch
      throw e;
    }
    end += out.size();
  }

  /** Destroys every key of a subject tag; returns how many. Writer thread only. */
  int destroySubject(byte[] tag) throws IOException {
    return destroy(k -> Arrays.equals(k.tag, tag));
  }

  /** Destroys keys whose day is older than their type's retention; returns how many. */
  int destroyExpired(Map<String, Duration> retention, LocalDate today) throws IOException {
    return destroy(k -> {
      Duration keep = retention.get(k.type);
      if (keep == null) {
        return false;
      }
      long keepDays = Math.max(0, keep.toDays());
      return k.epochDay + keepDays < today.toEpochDay();
    });
  }

  private int destroy(java.util.function.Predicate<DataKey> doomed) throws IOException {
    flushPending();
    List<DataKey> victims = byId.values().stream().filter(k -> !k.destroyed && doomed.test(k)).toList();
    if (victims.isEmpty()) {
      return 0;
    }
    for (DataKey v : victims) {
      v.destroyed = true;
    }
    List<DataKey> live = byId.values().stream().filter(k -> !k.destroyed).toList();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (DataKey d : live) {
      out.writeBytes(Frames.frame(wrap(d)));
    }
    Path tmp = dir.resolve(FILE + ".tmp");
    try (FileChannel t = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      Frames.writeFully(t, ByteBuffer.wrap(out.toByteArray()), 0);
      t.force(true);
    } catch (IOException e) {
      for (DataKey v : victims) {
        v.destroyed = false;
      }
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    DirectorySync.force(dir);
    // The old journal is unlinked but still open here: overwrite its blocks so the wrapped keys
    // do not linger in free space.
    FileChannel old = ch;
    long oldSize = old.size();
    Frames.writeFully(old, ByteBuffer.allocate((int) Math.min(oldSize, Integer.MAX_VALUE)), 0);
    old.force(true);
    old.close();
    ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    end = out.size();
    for (DataKey v : victims) {
      byId.remove(HexFormat.of().formatHex(v.id));
      byScope.remove(new Scope(HexFormat.of().formatHex(v.tag), v.type, v.epochDay), v);
      Arrays.fill(v.key, (byte) 0);
    }
    return victims.size();
  }

  private byte[] wrap(DataKey k) {
    try {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(wrapKey, "AES"), new GCMParameterSpec(GCM_TAG_BITS, nonce));
      byte[] identity = identity(k.id, k.tag, k.type, k.epochDay);
      c.updateAAD(identity);
      byte[] wrapped = c.doFinal(k.key);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(identity);
      out.writeBytes(nonce);
      out.writeBytes(wrapped);
      return out.toByteArray();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java runtime", e);
    }
  }

  private DataKey unwrap(byte[] entry) {
    ByteBuffer b = ByteBuffer.wrap(entry);
    byte[] id = new byte[AuditLeaf.KEY_ID_BYTES];
    byte[] tag = new byte[AuditLeaf.TAG_BYTES];
    b.get(id).get(tag);
    String type = AuditLeaf.str(b);
    long day = b.getLong();
    int identityLength = b.position();
    byte[] nonce = new byte[12];
    b.get(nonce);
    byte[] wrapped = new byte[b.remaining()];
    b.get(wrapped);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(wrapKey, "AES"), new GCMParameterSpec(GCM_TAG_BITS, nonce));
      c.updateAAD(entry, 0, identityLength);
      return new DataKey(id, tag, type, day, c.doFinal(wrapped));
    } catch (javax.crypto.AEADBadTagException e) {
      throw new AuditLogException("data key " + HexFormat.of().formatHex(id) + " in " + file
          + " does not unwrap with this log's master key: wrong audit key file, or the journal was altered");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java runtime", e);
    }
  }

  private static byte[] identity(byte[] id, byte[] tag, String type, long day) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(id);
    out.writeBytes(tag);
    AuditLeaf.str(out, type);
    out.writeBytes(ByteBuffer.allocate(8).putLong(day).array());
    return out.toByteArray();
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
