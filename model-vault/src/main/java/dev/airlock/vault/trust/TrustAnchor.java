package dev.airlock.vault.trust;

import dev.airlock.vault.Sha256;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * One entry of the trust store: a public key, or a CA root certificate, trusted for one role
 * within a validity window until revoked.
 */
public record TrustAnchor(
    String name,
    TrustRole role,
    Sha256 fingerprint,
    PublicKey publicKey,
    Optional<X509Certificate> caCertificate,
    Instant addedAt,
    Optional<Instant> notBefore,
    Optional<Instant> notAfter,
    Optional<Revocation> revocation) {

  /** When and why a key stopped being trusted. */
  public record Revocation(Instant at, String reason) {}

  public boolean isCa() {
    return caCertificate.isPresent();
  }

  /**
   * The entry as every audit record of a trust change names it, the CLI's and the server's alike:
   * name, role, fingerprint, whether it is a CA, and the revocation's reason once revoked.
   */
  public java.util.Map<String, Object> auditDetails() {
    java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
    d.put("name", name);
    d.put("role", role.label());
    d.put("fingerprint", fingerprint.toString());
    d.put("ca", isCa());
    revocation.ifPresent(r -> d.put("reason", r.reason()));
    return d;
  }

  public boolean isRevoked() {
    return revocation.isPresent();
  }

  /** Trusted at this instant: inside its validity window (revocation is checked separately). */
  public boolean isValidAt(Instant now) {
    return notBefore.map(nb -> !now.isBefore(nb)).orElse(true)
        && notAfter.map(na -> !now.isAfter(na)).orElse(true);
  }

  /** An anchor given on the command line for one check, trusted without a window. */
  public static TrustAnchor adHoc(String name, TrustRole role, PublicKey key) {
    return new TrustAnchor(name, role, KeyFingerprints.fingerprint(key), key, Optional.empty(),
        Instant.EPOCH, Optional.empty(), Optional.empty(), Optional.empty());
  }
}
