package dev.airlock.vault.trust;

import dev.airlock.vault.Sha256;
import java.io.IOException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;

/** Names a public key by its fingerprint, and reads one back from its DER form. */
public final class KeyFingerprints {
  private KeyFingerprints() {}

  /** SHA-256 over the DER SubjectPublicKeyInfo: a stable name for a public key. */
  public static Sha256 fingerprint(PublicKey key) {
    return Sha256.of(key.getEncoded());
  }

  public static PublicKey publicKeyFromDer(byte[] der) throws IOException {
    try {
      return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
    } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException("not an EC public key: " + e.getMessage(), e);
    }
  }
}
