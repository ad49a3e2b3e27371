package dev.airlock.vault.trust;

import dev.airlock.vault.Sha256;
import dev.airlock.vault.signing.VerifyingKey;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;

/** Names a public key by its fingerprint, and reads one back from its DER form. */
public final class KeyFingerprints {
  private KeyFingerprints() {}

  /**
   * SHA-256 over the key's canonical PEM: the same value OMS records as the key hint and
   * {@code airlock keys generate} prints, so one key has one name everywhere.
   */
  public static Sha256 fingerprint(PublicKey key) {
    return Sha256.of(VerifyingKey.canonicalPem(key).getBytes(StandardCharsets.US_ASCII));
  }

  public static PublicKey publicKeyFromDer(byte[] der) throws IOException {
    try {
      return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
    } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException("not an EC public key: " + e.getMessage(), e);
    }
  }
}
