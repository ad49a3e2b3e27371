package dev.airlock.vault.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.ModelVerifier;
import dev.airlock.vault.signing.SigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustStoreTest {
  static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  @TempDir Path data;
  Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  PublicKey key = SigningKey.generate(Curve.P384).verifyingKey().publicKey();

  @Test
  void keepsKeysAndCaRootsPerRoleAcrossRestarts() throws Exception {
    TrustStore store = TrustStore.open(data, clock);
    store.addKey("org-transfer", TrustRole.TRANSFER, key, Optional.empty(),
        Optional.of(Instant.parse("2027-01-01T00:00:00Z")));
    X509Certificate root = ModelVerifier.readCertificates(Path.of(
        getClass().getResource("/oms/keys/ca-cert.pem").toURI())).getFirst();
    store.addCa("sigstore-test-ca", TrustRole.PUBLISHER, root, Optional.empty(), Optional.empty());

    TrustStore reopened = TrustStore.open(data, clock);

    assertThat(reopened.all()).extracting(TrustAnchor::name).containsExactly("org-transfer", "sigstore-test-ca");
    TrustAnchor transfer = reopened.forRole(TrustRole.TRANSFER).getFirst();
    assertThat(transfer.publicKey()).isEqualTo(key);
    assertThat(transfer.notAfter()).contains(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(transfer.isValidAt(NOW)).isTrue();
    assertThat(transfer.isValidAt(Instant.parse("2027-01-02T00:00:00Z"))).isFalse();
    TrustAnchor ca = reopened.forRole(TrustRole.PUBLISHER).getFirst();
    assertThat(ca.isCa()).isTrue();
    assertThat(ca.caCertificate()).contains(root);
    assertThat(ca.notAfter()).contains(root.getNotAfter().toInstant());
    assertThat(Files.exists(data.resolve("trust/trust.json"))).isTrue();
  }

  @Test
  void revocationIsKeptAndFoundByNameOrFingerprint() throws Exception {
    TrustStore store = TrustStore.open(data, clock);
    TrustAnchor a = store.addKey("org-transfer", TrustRole.TRANSFER, key, Optional.empty(), Optional.empty());

    store.revoke(a.fingerprint().toString(), "laptop stolen");

    TrustAnchor revoked = TrustStore.open(data, clock).find("org-transfer").orElseThrow();
    assertThat(revoked.revocation()).hasValueSatisfying(r -> {
      assertThat(r.at()).isEqualTo(NOW);
      assertThat(r.reason()).isEqualTo("laptop stolen");
    });
  }

  @Test
  void aRevokedKeyCannotBeTrustedAgainUnderTheSameRole() throws Exception {
    TrustStore store = TrustStore.open(data, clock);
    store.addKey("k1", TrustRole.TRANSFER, key, Optional.empty(), Optional.empty());
    store.revoke("k1", "compromised");

    assertThatThrownBy(() -> store.addKey("k2", TrustRole.TRANSFER, key, Optional.empty(), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already trusted for transfer as 'k1'")
        .hasMessageContaining("a revoked key cannot be trusted again");
  }

  @Test
  void namesAreUniqueAndRevokingAnUnknownEntrySaysWhereToLook() throws Exception {
    TrustStore store = TrustStore.open(data, clock);
    store.addKey("k1", TrustRole.TRANSFER, key, Optional.empty(), Optional.empty());
    assertThatThrownBy(() -> store.addKey("k1", TrustRole.PUBLISHER,
        SigningKey.generate(Curve.P256).verifyingKey().publicKey(), Optional.empty(), Optional.empty()))
        .hasMessageContaining("already has an entry named 'k1'");
    assertThatThrownBy(() -> store.revoke("nobody", "x"))
        .hasMessage("no trust entry named or with fingerprint 'nobody'; see 'airlock trust list'");
  }
}
