package dev.airlock.audit.note;

import java.security.SecureRandom;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** Signs note texts with one Ed25519 key under one key name (the log's origin). */
public final class NoteSigner {
  private final String name;
  private final Ed25519PrivateKeyParameters key;
  private final byte[] publicKey;
  private final int keyId;

  /** @param seed the 32-byte Ed25519 private key (RFC 8032 seed) */
  public NoteSigner(String name, byte[] seed) {
    Ed25519Keys.checkName(name);
    if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
      throw new IllegalArgumentException("Ed25519 private key must be 32 bytes, got " + seed.length);
    }
    this.name = name;
    this.key = new Ed25519PrivateKeyParameters(seed, 0);
    this.publicKey = key.generatePublicKey().getEncoded();
    this.keyId = Ed25519Keys.keyId(name, publicKey);
  }

  /** A fresh random Ed25519 seed. */
  public static byte[] newSeed() {
    byte[] seed = new byte[Ed25519PrivateKeyParameters.KEY_SIZE];
    new SecureRandom().nextBytes(seed);
    return seed;
  }

  public String name() {
    return name;
  }

  public int keyId() {
    return keyId;
  }

  /** The verifier key string auditors are given: {@code name+hex(key id)+base64(0x01 || public key)}. */
  public String verifierKey() {
    return NoteVerifier.formatVerifierKey(name, keyId, publicKey);
  }

  public NoteVerifier verifier() {
    return new NoteVerifier(name, keyId, publicKey);
  }

  /** Signs {@code text} (which must end in a newline) and returns the signed note. */
  public SignedNote sign(String text) {
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("note text must end with a newline");
    }
    if (text.contains("\n\n") || text.chars().anyMatch(c -> c < 0x20 && c != '\n')) {
      throw new IllegalArgumentException("note text must not contain blank lines or control characters");
    }
    Ed25519Signer s = new Ed25519Signer();
    s.init(true, key);
    byte[] msg = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    s.update(msg, 0, msg.length);
    return new SignedNote(text, List.of(new SignedNote.Signature(name, keyId, s.generateSignature())));
  }
}
