package dev.airlock.audit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a record into a leaf and back: personal fields and payload sealed with AES-256-GCM under
 * the subject's data key for the record's type and day. Nonces are random (96 bits) and never
 * chosen by callers; a key seals at most one subject's records of one type on one day, far below
 * the 2^32 messages a random-nonce GCM key allows.
 */
final class RecordSealer {
  private static final int GCM_TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * Idle ciphers, shared by all threads. Not a ThreadLocal: appenders are virtual threads, one per
   * request, so a ThreadLocal would run the slow provider lookup of Cipher.getInstance on every append.
   */
  private static final ConcurrentLinkedQueue<Cipher> CIPHERS = new ConcurrentLinkedQueue<>();
  /** Enough idle ciphers for every appender on a busy server; more are simply dropped. */
  private static final int MAX_IDLE_CIPHERS = 256;

  /** Subjects seen recently: an HMAC per append is measurable at tens of thousands per second. */
  private static final int TAG_CACHE = 65_536;

  private final KeyRing keys;
  private final byte[] tagKey;
  private final java.util.concurrent.ConcurrentHashMap<String, byte[]> recentTags =
      new java.util.concurrent.ConcurrentHashMap<>();

  RecordSealer(KeyRing keys, byte[] tagKey) {
    this.keys = keys;
    this.tagKey = tagKey;
  }

  /** The pseudonymous tag a subject has in leaves: HMAC-SHA256(tag key, subject)[:16]. */
  byte[] tag(String subject) {
    byte[] t = recentTags.get(subject);
    if (t == null) {
      t = Arrays.copyOf(AuditKeys.hmac(tagKey, subject.getBytes(StandardCharsets.UTF_8)), AuditLeaf.TAG_BYTES);
      if (recentTags.size() >= TAG_CACHE) {
        recentTags.clear(); // crude bound; the next appends refill it with the active subjects
      }
      recentTags.put(subject, t);
    }
    return t.clone();
  }

  /**
   * The record sealed, as the leaf's bytes: the header (the seal's associated data) is built once
   * and the bytes written once, without the intermediate leaf objects (this is on every append).
   */
  byte[] sealEncoded(AuditRecord r) {
    byte[] tag = r.subject().map(this::tag).orElse(AuditLeaf.NO_SUBJECT);
    long day = r.time().atOffset(ZoneOffset.UTC).toLocalDate().toEpochDay();
    KeyRing.DataKey key = keys.keyFor(tag, r.type(), day);
    byte[] nonce = new byte[AuditLeaf.NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    Optional<String> plainActor = r.actor().isPersonal() ? Optional.empty() : Optional.of(r.actor().id());
    byte[] header = AuditLeaf.header(r.type(), r.time(), r.actor().kind(), plainActor, r.model(), r.requestId(),
        r.status(), r.indexFields(), tag, key.id);
    ByteArrayOutputStream plain = new ByteArrayOutputStream(r.payload().length + 64);
    AuditLeaf.str(plain, r.subject().orElse(""));
    AuditLeaf.str(plain, r.actor().isPersonal() ? r.actor().id() : "");
    byte[] payload = r.payload();
    plain.writeBytes(AuditLeaf.u32(payload.length));
    plain.writeBytes(payload);
    Cipher c = borrowCipher();
    try {
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.key, "AES"), new GCMParameterSpec(GCM_TAG_BITS, nonce));
      c.updateAAD(header);
      return AuditLeaf.encode(header, nonce, c.doFinal(plain.toByteArray()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM sealing failed", e);
    } finally {
      returnCipher(c);
    }
  }

  private static Cipher borrowCipher() {
    Cipher c = CIPHERS.poll();
    if (c != null) {
      return c;
    }
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java runtime", e);
    }
  }

  /** Only after doFinal or a failed init: either way the next init resets the cipher. */
  private static void returnCipher(Cipher c) {
    if (CIPHERS.size() < MAX_IDLE_CIPHERS) {
      CIPHERS.offer(c);
    }
  }

  /** The record back, or empty when its data key was destroyed. */
  Optional<AuditRecord> open(AuditLeaf leaf) {
    Optional<KeyRing.DataKey> key = keys.byId(leaf.dataKeyId());
    if (key.isEmpty()) {
      return Optional.empty();
    }
    byte[] plain;
    Cipher c = borrowCipher();
    try {
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.get().key, "AES"),
          new GCMParameterSpec(GCM_TAG_BITS, leaf.nonce()));
      c.updateAAD(leaf.header());
      plain = c.doFinal(leaf.sealed());
    } catch (AEADBadTagException e) {
      if (key.get().destroyed) {
        return Optional.empty(); // erased while we were reading
      }
      throw new AuditLogException("the sealed part of a " + leaf.type() + " record does not decrypt: the leaf or its "
          + "data key was altered");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM opening failed", e);
    } finally {
      returnCipher(c);
    }
    ByteBuffer b = ByteBuffer.wrap(plain);
    String subject = AuditLeaf.str(b);
    String userId = AuditLeaf.str(b);
    byte[] payload = AuditLeaf.bytes(b);
    Actor actor = leaf.actorKind() == Actor.Kind.USER
        ? Actor.user(userId)
        : new Actor(leaf.actorKind(), leaf.actorId().orElseThrow());
    return Optional.of(new AuditRecord(leaf.type(), leaf.time(), actor,
        subject.isEmpty() ? Optional.empty() : Optional.of(subject), leaf.model(), leaf.requestId(), leaf.status(),
        leaf.indexFields(), payload));
  }
}
