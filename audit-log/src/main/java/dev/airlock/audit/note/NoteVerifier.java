package dev.airlock.audit.note;

import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Verifies signed notes against one trusted Ed25519 key, given as a verifier key string
 * {@code <name>+<8 hex digits key id>+<base64(0x01 || 32-byte public key)>}.
 *
 * <p>Per the spec: signature lines from other keys (another name or another id) are ignored; a
 * line from this key that fails to verify rejects the note; a note with no line from this key is
 * rejected.
 */
public final class NoteVerifier {
  private final String name;
  private final int keyId;
  private final byte[] publicKey;

  NoteVerifier(String name, int keyId, byte[] publicKey) {
    this.name = name;
    this.keyId = keyId;
    this.publicKey = publicKey.clone();
  }

  /** Parses a verifier key string; checks that its id matches its name and key. */
  public static NoteVerifier parse(String vkey) throws NoteFormatException {
    String[] parts = vkey.strip().split("\\+", 3);
    if (parts.length != 3) {
      throw new NoteFormatException(
          "verifier key must be '<name>+<key id hex>+<base64 key>' (three parts joined by '+'), got "
              + parts.length + " parts");
    }
    String name = parts[0];
    if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
      throw new NoteFormatException("verifier key name must be non-empty without spaces, got '" + name + "'");
    }
    if (!parts[1].matches("[0-9a-f]{8}")) {
      throw new NoteFormatException("verifier key id must be 8 lowercase hex digits, got '" + parts[1] + "'");
    }
    int id = Integer.parseUnsignedInt(parts[1], 16);
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new NoteFormatException("verifier key material is not valid base64");
    }
    if (blob.length != 33 || blob[0] != Ed25519Keys.TYPE_ED25519) {
      throw new NoteFormatException("verifier key must be an Ed25519 key (type byte 0x01 and 32 key bytes), got "
          + blob.length + " bytes starting with type " + (blob.length == 0 ? "none" : "0x" + HexFormat.of().toHexDigits(blob[0])));
    }
    byte[] key = java.util.Arrays.copyOfRange(blob, 1, 33);
    int expected = Ed25519Keys.keyId(name, key);
    if (expected != id) {
      throw new NoteFormatException("verifier key id " + parts[1] + " does not match its name and key (expected "
          + HexFormat.of().toHexDigits(expected) + ")");
    }
    return new NoteVerifier(name, id, key);
  }

  static String formatVerifierKey(String name, int keyId, byte[] publicKey) {
    byte[] blob = new byte[33];
    blob[0] = Ed25519Keys.TYPE_ED25519;
    System.arraycopy(publicKey, 0, blob, 1, 32);
    return name + "+" + HexFormat.of().toHexDigits(keyId) + "+" + Base64.getEncoder().encodeToString(blob);
  }

  public String name() {
    return name;
  }

  public int keyId() {
    return keyId;
  }

  public String verifierKey() {
    return formatVerifierKey(name, keyId, publicKey);
  }

  /** Parses and verifies {@code note}; returns it when a signature by this key verifies. */
  public SignedNote verify(String note) throws NoteFormatException, NoteVerificationException {
    SignedNote parsed = SignedNote.parse(note);
    verify(parsed);
    return parsed;
  }

  public void verify(SignedNote note) throws NoteVerificationException {
    byte[] msg = note.textBytes();
    for (SignedNote.Signature s : note.signatures()) {
      if (!s.keyName().equals(name) || s.keyId() != keyId) {
        continue;
      }
      Ed25519Signer v = new Ed25519Signer();
      v.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
      v.update(msg, 0, msg.length);
      if (s.signature().length != Ed25519PublicKeyParameters.KEY_SIZE * 2 || !v.verifySignature(s.signature())) {
        throw new NoteVerificationException("the signature by key " + name + "+" + HexFormat.of().toHexDigits(keyId)
            + " does not verify: the note was altered or signed by a different key with the same name and id");
      }
      return;
    }
    throw new NoteVerificationException("no signature by key " + name + "+" + HexFormat.of().toHexDigits(keyId)
        + " on this note (signed by: " + note.signatures().stream()
            .map(s -> s.keyName() + "+" + HexFormat.of().toHexDigits(s.keyId())).toList()
        + "); check that you were given the right verifier key");
  }
}
