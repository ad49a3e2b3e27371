package dev.airlock.vault.signing;

import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;

/**
 * The elliptic curves OMS signs with, each paired with the hash the reference tool uses for it
 * (P-256 with SHA-256, P-384 with SHA-384, P-521 with SHA-512), as in sigstore's key details.
 */
public enum Curve {
  P256("secp256r1", SECObjectIdentifiers.secp256r1, "SHA256withECDSA", "PKIX_ECDSA_P256_SHA_256"),
  P384("secp384r1", SECObjectIdentifiers.secp384r1, "SHA384withECDSA", "PKIX_ECDSA_P384_SHA_384"),
  P521("secp521r1", SECObjectIdentifiers.secp521r1, "SHA512withECDSA", "PKIX_ECDSA_P521_SHA_512");

  private final String standardName;
  private final ASN1ObjectIdentifier oid;
  private final String signatureAlgorithm;
  private final String keyDetails;

  Curve(String standardName, ASN1ObjectIdentifier oid, String signatureAlgorithm,
      String keyDetails) {
    this.standardName = standardName;
    this.oid = oid;
    this.signatureAlgorithm = signatureAlgorithm;
    this.keyDetails = keyDetails;
  }

  /** The SEC 2 name, e.g. {@code secp384r1}. */
  public String standardName() {
    return standardName;
  }

  /** The JCA name of ECDSA with this curve's hash, e.g. {@code SHA384withECDSA}. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /** The sigstore {@code keyDetails} name, e.g. {@code PKIX_ECDSA_P384_SHA_384}. */
  public String keyDetails() {
    return keyDetails;
  }

  static Optional<Curve> byOid(ASN1ObjectIdentifier oid) {
    return Arrays.stream(values()).filter(c -> c.oid.equals(oid)).findFirst();
  }
}
