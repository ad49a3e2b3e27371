package dev.airlock.vault.trust;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.SigningKey;
import org.junit.jupiter.api.Test;

class KeyFingerprintsTest {
  @Test
  void fingerprintIsTheOmsKeyHintSoAKeyHasOneNameEverywhere() {
    SigningKey key = SigningKey.generate(Curve.P256);
    assertThat(KeyFingerprints.fingerprint(key.verifyingKey().publicKey()).hex())
        .isEqualTo(key.verifyingKey().hint());
  }
}
