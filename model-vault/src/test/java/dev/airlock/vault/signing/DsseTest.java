package dev.airlock.vault.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DsseTest {
  @Test
  void paeMatchesTheDsseSpecificationExample() {
    // From secure-systems-lab/dsse protocol.md, "Test cases".
    byte[] pae = Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(pae, StandardCharsets.UTF_8))
        .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  }

  @Test
  void paeCountsBytesNotCharacters() {
    byte[] pae = Dsse.pae("t", "é".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(pae, StandardCharsets.UTF_8)).isEqualTo("DSSEv1 1 t 2 é");
  }

  @Test
  void envelopeVerifiesOnlyWithTheSigningKeyAndUnchangedPayload() throws Exception {
    SigningKey key = SigningKey.generate(Curve.P256);
    DsseEnvelope env = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, "{}".getBytes(StandardCharsets.UTF_8), key);
    assertThat(Dsse.verify(env, key.verifyingKey())).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> Dsse.verify(env, SigningKey.generate(Curve.P256).verifyingKey()))
        .isInstanceOf(VerificationException.class).hasMessageStartingWith("signature check failed");
    DsseEnvelope retyped = new DsseEnvelope("text/plain", env.payload(), env.signatures());
    assertThatThrownBy(() -> Dsse.verify(retyped, key.verifyingKey()))
        .isInstanceOf(VerificationException.class);
  }
}
