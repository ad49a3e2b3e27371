package dev.airlock.audit;

import dev.airlock.audit.note.NoteSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secrets of one log: its origin (the checkpoint key name), the Ed25519 checkpoint signing key
 * and the 256-bit master key. Callers never touch key bytes after creation: the master key only
 * ever derives (HMAC-SHA256 with a fixed label) the key that wraps subject data keys and the key
 * that turns a subject into its pseudonymous tag.
 *
 * <p>File form ({@link #save}/{@link #load}), UTF-8, one {@code name value} pair per line:
 * <pre>
 * airlock-audit-keys v1
 * origin airlock.example/audit
 * master &lt;base64 32 bytes&gt;
 * signing-ed25519 &lt;base64 32-byte seed&gt;
 * </pre>
 * The file is written with owner-only permissions; keep it off the audit volume's backups.
 */
public final class AuditKeys {
  private static final String HEADER = "airlock-audit-keys v1";
  private static final String WRAP_LABEL = "airlock-audit/v1/wrap-subject-keys";
  private static final String TAG_LABEL = "airlock-audit/v1/subject-tag";

  private final String origin;
  private final byte[] master;
  private final byte[] signingSeed;
  private final NoteSigner signer;

  private AuditKeys(String origin, byte[] master, byte[] signingSeed) {
    if (master.length != 32) {
      throw new IllegalArgumentException("master key must be 32 bytes, got " + master.length);
    }
    this.origin = origin;
    this.master = master.clone();
    this.signingSeed = signingSeed.clone();
    this.signer = new NoteSigner(origin, signingSeed);
  }

  /** New random keys for a log whose checkpoints carry {@code origin} (e.g. {@code airlock.example/audit}). */
  public static AuditKeys generate(String origin) {
    byte[] master = new byte[32];
    new SecureRandom().nextBytes(master);
    return new AuditKeys(origin, master, NoteSigner.newSeed());
  }

  /** Loads keys written by {@link #save}. */
  public static AuditKeys load(Path file) throws IOException {
    Map<String, String> kv = new LinkedHashMap<>();
    var lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
      throw new IOException(file + " is not an Airlock audit key file: its first line must be '" + HEADER + "'");
    }
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      int sp = line.indexOf(' ');
      if (sp < 0) {
        throw new IOException(file + ": line '" + line.split(" ")[0] + "' has no value");
      }
      kv.put(line.substring(0, sp), line.substring(sp + 1));
    }
    for (String k : new String[] {"origin", "master", "signing-ed25519"}) {
      if (!kv.containsKey(k)) {
        throw new IOException(file + " lacks the '" + k + "' line; restore the key file from its backup");
      }
    }
    try {
      return new AuditKeys(kv.get("origin"), Base64.getDecoder().decode(kv.get("master")),
          Base64.getDecoder().decode(kv.get("signing-ed25519")));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " holds a malformed key: " + e.getMessage(), e);
    }
  }

  /** Loads the key file, or creates one with fresh keys if it does not exist yet. */
  public static AuditKeys loadOrGenerate(Path file, String origin) throws IOException {
    if (Files.exists(file)) {
      return load(file);
    }
    AuditKeys keys = generate(origin);
    keys.save(file);
    return keys;
  }

  /** Writes the keys atomically with owner-only permissions. */
  public void save(Path file) throws IOException {
    String text = HEADER + "\n"
        + "origin " + origin + "\n"
        + "master " + Base64.getEncoder().encodeToString(master) + "\n"
        + "signing-ed25519 " + Base64.getEncoder().encodeToString(signingSeed) + "\n";
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The log's origin line and checkpoint key name. */
  public String origin() {
    return origin;
  }

  /** What auditors are given: {@code origin+keyid+base64(0x01||ed25519 public key)}. */
  public String verifierKey() {
    return signer.verifierKey();
  }

  NoteSigner signer() {
    return signer;
  }

  byte[] wrapKey() {
    return hmac(master, WRAP_LABEL.getBytes(StandardCharsets.UTF_8));
  }

  byte[] tagKey() {
    return hmac(master, TAG_LABEL.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java runtime ships HmacSHA256", e);
    }
  }

  @Override
  public String toString() {
    return "AuditKeys[" + verifierKey() + "]";
  }
}
