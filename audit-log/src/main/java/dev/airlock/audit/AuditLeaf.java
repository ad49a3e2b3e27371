package dev.airlock.audit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The leaf encoding, version 1: the exact bytes the Merkle tree hashes, the segment files store
 * and the mirror ships. Deterministic: the same fields always give the same bytes. All integers
 * are big-endian; {@code str} is a u32 byte length followed by UTF-8.
 *
 * <pre>
 * u8      version            = 0x01
 * str     type
 * i64     time, seconds since 1970-01-01T00:00:00Z
 * u32     time, nanoseconds within the second (0..999999999)
 * u8      actor kind         0 app, 1 user, 2 system
 * str     actor id           empty for a user (the id is in the sealed part)
 * str     model              empty when none
 * str     request id         empty when none
 * str     status
 * u32     number of index fields, then per field (sorted by name, UTF-8 byte order, no duplicates):
 *   str   name
 *   str   value
 * 16 B    subject tag        HMAC-SHA256(tag key, subject)[:16]; 16 zero bytes when no subject
 * 16 B    data key id        which subject data key sealed this record
 * 12 B    nonce              AES-GCM nonce, random per record
 * u32     sealed length, then the sealed bytes: AES-256-GCM ciphertext with its 16-byte tag
 * </pre>
 *
 * The associated data of the AES-GCM seal is every leaf byte before the nonce, so no plaintext
 * field can be changed without breaking the seal. The sealed plaintext is {@code str subject}
 * (empty when none), {@code str user id} (empty unless the actor is a user), then the payload
 * (u32 length + bytes).
 */
public record AuditLeaf(
    String type,
    Instant time,
    Actor.Kind actorKind,
    Optional<String> actorId,
    Optional<String> model,
    Optional<String> requestId,
    String status,
    Map<String, String> indexFields,
    byte[] subjectTag,
    byte[] dataKeyId,
    byte[] nonce,
    byte[] sealed) {

  public static final int VERSION = 1;
  public static final int TAG_BYTES = 16;
  public static final int KEY_ID_BYTES = 16;
  public static final int NONCE_BYTES = 12;

  /** The tag written for records without a subject. */
  static final byte[] NO_SUBJECT = new byte[TAG_BYTES];

  public AuditLeaf {
    indexFields = Collections.unmodifiableMap(new TreeMap<>(indexFields));
    subjectTag = subjectTag.clone();
    dataKeyId = dataKeyId.clone();
    nonce = nonce.clone();
    sealed = sealed.clone();
  }

  @Override
  public byte[] subjectTag() {
    return subjectTag.clone();
  }

  @Override
  public byte[] dataKeyId() {
    return dataKeyId.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] sealed() {
    return sealed.clone();
  }

  /** True when the record carries a subject (whose data is erasable). */
  public boolean hasSubject() {
    return !Arrays.equals(subjectTag, NO_SUBJECT);
  }

  /** The leaf's bytes. */
  public byte[] encode() {
    return encode(header(), nonce, sealed);
  }

  /** A leaf's bytes from its header, nonce and sealed part (the sealer writes new leaves this way). */
  static byte[] encode(byte[] header, byte[] nonce, byte[] sealed) {
    return ByteBuffer.allocate(header.length + nonce.length + 4 + sealed.length)
        .put(header).put(nonce).putInt(sealed.length).put(sealed).array();
  }

  /** The associated data of the seal: every leaf byte before the nonce. */
  byte[] header() {
    return header(type, time, actorKind, actorId, model, requestId, status, indexFields, subjectTag, dataKeyId);
  }

  static byte[] header(String type, Instant time, Actor.Kind actorKind, Optional<String> actorId, Optional<String> model,
                       Optional<String> requestId, String status, Map<String, String> indexFields, byte[] subjectTag,
                       byte[] dataKeyId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(VERSION);
    str(out, type);
    out.writeBytes(ByteBuffer.allocate(12).putLong(time.getEpochSecond()).putInt(time.getNano()).array());
    out.write(actorKind.code);
    str(out, actorId.orElse(""));
    str(out, model.orElse(""));
    str(out, requestId.orElse(""));
    str(out, status);
    List<byte[][]> fields = sortedFields(indexFields);
    out.writeBytes(u32(fields.size()));
    for (byte[][] f : fields) {
      out.writeBytes(u32(f[0].length));
      out.writeBytes(f[0]);
      out.writeBytes(u32(f[1].length));
      out.writeBytes(f[1]);
    }
    out.writeBytes(subjectTag);
    out.writeBytes(dataKeyId);
    return out.toByteArray();
  }

  /** Decodes leaf bytes; rejects anything that {@link #encode} would not have produced. */
  public static AuditLeaf decode(byte[] leaf) {
    ByteBuffer b = ByteBuffer.wrap(leaf);
    try {
      int version = b.get() & 0xff;
      if (version != VERSION) {
        throw new AuditLogException("leaf version " + version + " is not supported (this build reads version "
            + VERSION + ")");
      }
      String type = str(b);
      long secs = b.getLong();
      int nanos = b.getInt();
      if (nanos < 0 || nanos > 999_999_999) {
        throw new AuditLogException("leaf time nanoseconds out of range: " + nanos);
      }
      int kindCode = b.get() & 0xff;
      if (kindCode > 2) {
        throw new AuditLogException("unknown actor kind " + kindCode + " (expected 0 app, 1 user, 2 system)");
      }
      Actor.Kind kind = Actor.Kind.fromCode(kindCode);
      String actorId = str(b);
      String model = str(b);
      String requestId = str(b);
      String status = str(b);
      long n = b.getInt() & 0xffffffffL;
      if (n > b.remaining()) {
        throw new AuditLogException("leaf claims " + n + " index fields, more than its bytes can hold");
      }
      Map<String, String> fields = new TreeMap<>();
      byte[] previous = null;
      for (long i = 0; i < n; i++) {
        byte[] name = bytes(b);
        String value = str(b);
        if (previous != null && Arrays.compareUnsigned(previous, name) >= 0) {
          throw new AuditLogException("leaf index fields are not sorted by name or repeat a name");
        }
        previous = name;
        fields.put(new String(name, StandardCharsets.UTF_8), value);
      }
      byte[] tag = fixed(b, TAG_BYTES);
      byte[] keyId = fixed(b, KEY_ID_BYTES);
      byte[] nonce = fixed(b, NONCE_BYTES);
      byte[] sealed = bytes(b);
      if (b.hasRemaining()) {
        throw new AuditLogException("leaf has " + b.remaining() + " bytes after its end");
      }
      return new AuditLeaf(type, Instant.ofEpochSecond(secs, nanos), kind,
          kind == Actor.Kind.USER ? Optional.empty() : Optional.of(actorId),
          opt(model), opt(requestId), status, fields, tag, keyId, nonce, sealed);
    } catch (java.nio.BufferUnderflowException e) {
      throw new AuditLogException("leaf ends early (" + leaf.length + " bytes): it is truncated or not a leaf");
    }
  }

  /**
   * Checks that {@code leaf} is well-formed, as {@link #decode} would, without building the record:
   * the fast path of full verification.
   */
  public static void validate(byte[] leaf) {
    ByteBuffer b = ByteBuffer.wrap(leaf);
    try {
      int version = b.get() & 0xff;
      if (version != VERSION) {
        throw new AuditLogException("leaf version " + version + " is not supported (this build reads version "
            + VERSION + ")");
      }
      skip(b); // type
      b.getLong();
      int nanos = b.getInt();
      if (nanos < 0 || nanos > 999_999_999) {
        throw new AuditLogException("leaf time nanoseconds out of range: " + nanos);
      }
      int kind = b.get() & 0xff;
      if (kind > 2) {
        throw new AuditLogException("unknown actor kind " + kind + " (expected 0 app, 1 user, 2 system)");
      }
      for (int i = 0; i < 4; i++) {
        skip(b); // actor id, model, request id, status
      }
      long n = b.getInt() & 0xffffffffL;
      if (n > b.remaining()) {
        throw new AuditLogException("leaf claims " + n + " index fields, more than its bytes can hold");
      }
      int previousStart = -1;
      int previousLength = 0;
      for (long i = 0; i < n; i++) {
        int nameLength = (int) lengthOf(b);
        int nameStart = b.position();
        b.position(nameStart + nameLength);
        if (previousStart >= 0 && Arrays.compareUnsigned(leaf, previousStart, previousStart + previousLength,
            leaf, nameStart, nameStart + nameLength) >= 0) {
          throw new AuditLogException("leaf index fields are not sorted by name or repeat a name");
        }
        previousStart = nameStart;
        previousLength = nameLength;
        skip(b);
      }
      b.position(b.position() + TAG_BYTES + KEY_ID_BYTES + NONCE_BYTES);
      skip(b); // sealed
      if (b.hasRemaining()) {
        throw new AuditLogException("leaf has " + b.remaining() + " bytes after its end");
      }
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      throw new AuditLogException("leaf ends early (" + leaf.length + " bytes): it is truncated or not a leaf");
    }
  }

  private static long lengthOf(ByteBuffer b) {
    long len = b.getInt() & 0xffffffffL;
    if (len > b.remaining()) {
      throw new AuditLogException("leaf field claims " + len + " bytes but only " + b.remaining() + " remain");
    }
    return len;
  }

  private static void skip(ByteBuffer b) {
    int len = (int) lengthOf(b);
    b.position(b.position() + len);
  }

  private static Optional<String> opt(String s) {
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  private static List<byte[][]> sortedFields(Map<String, String> fields) {
    List<byte[][]> out = new ArrayList<>(fields.size());
    fields.forEach((k, v) -> out.add(new byte[][] {k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8)}));
    out.sort((x, y) -> Arrays.compareUnsigned(x[0], y[0]));
    return out;
  }

  static byte[] u32(int n) {
    return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
  }

  static void str(ByteArrayOutputStream out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeBytes(u32(bytes.length));
    out.writeBytes(bytes);
  }

  static String str(ByteBuffer b) {
    return new String(bytes(b), StandardCharsets.UTF_8);
  }

  static byte[] bytes(ByteBuffer b) {
    long len = b.getInt() & 0xffffffffL;
    if (len > b.remaining()) {
      throw new AuditLogException("leaf field claims " + len + " bytes but only " + b.remaining() + " remain");
    }
    byte[] out = new byte[(int) len];
    b.get(out);
    return out;
  }

  private static byte[] fixed(ByteBuffer b, int n) {
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }
}
