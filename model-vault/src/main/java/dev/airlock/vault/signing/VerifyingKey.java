package dev.airlock.vault.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import dev.airlock.vault.Sha256;

/**
 * An ECDSA public key on one of the OMS curves, used to verify DSSE signatures. The key's
 * {@link #hint()} is what the reference tool records in a bundle to name the key that signed.
 */
public final class VerifyingKey {
  private static final int PEM_LINE_LENGTH = 64;

  private final ECPublicKey key;
  private final Curve curve;

  private VerifyingKey(ECPublicKey key, Curve curve) {
    this.key = key;
    this.curve = curve;
  }

  /** Reads a PEM public key ({@code BEGIN PUBLIC KEY}) from a file. */
  public static VerifyingKey fromPem(Path file) throws IOException {
    return fromPem(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
  }

  /** Reads a PEM public key; {@code source} names it in error messages. */
  public static VerifyingKey fromPem(String pem, String source) {
    List<Object> objects;
    try {
      objects = Pem.readAll(pem);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not a readable PEM file: " + e.getMessage(), e);
    }
    for (Object o : objects) {
      if (o instanceof SubjectPublicKeyInfo spki) {
        return fromSpki(spki, source);
      }
    }
    throw new IllegalArgumentException(source
        + ": no public key found; expected a PEM block '-----BEGIN PUBLIC KEY-----'"
        + " (an EC P-256, P-384 or P-521 key, e.g. the public.pem from 'airlock keys generate')");
  }

  /** Wraps a JCA public key, which must be EC on a supported curve. */
  public static VerifyingKey of(PublicKey key, String source) {
    return fromSpki(SubjectPublicKeyInfo.getInstance(key.getEncoded()), source);
  }

  static VerifyingKey fromSpki(SubjectPublicKeyInfo spki, String source) {
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(spki.getAlgorithm().getAlgorithm())) {
      throw new IllegalArgumentException(source + ": expected an elliptic-curve public key, found "
          + "algorithm " + spki.getAlgorithm().getAlgorithm().getId()
          + "; OMS keys are ECDSA P-256, P-384 or P-521");
    }
    if (!(spki.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier oid)) {
      throw new IllegalArgumentException(source
          + ": the EC key uses explicit curve parameters; expected a named curve (P-256, P-384, P-521)");
    }
    Curve curve = Curve.byOid(oid).orElseThrow(() -> new IllegalArgumentException(source
        + ": unsupported curve " + oid.getId() + "; expected P-256, P-384 or P-521"));
    try {
      PublicKey pk = new JcaPEMKeyConverter().setProvider(Pem.BC).getPublicKey(spki);
      return new VerifyingKey((ECPublicKey) pk, curve);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": invalid EC public key: " + e.getMessage(), e);
    }
  }

  public Curve curve() {
    return curve;
  }

  public PublicKey publicKey() {
    return key;
  }

  /** The key as PEM, in the canonical form (64-column base64, LF endings) the hint is taken over. */
  public String toPem() {
    String b64 = Base64.getEncoder().encodeToString(key.getEncoded());
    StringBuilder pem = new StringBuilder("-----BEGIN PUBLIC KEY-----\n");
    for (int i = 0; i < b64.length(); i += PEM_LINE_LENGTH) {
      pem.append(b64, i, Math.min(b64.length(), i + PEM_LINE_LENGTH)).append('\n');
    }
    return pem.append("-----END PUBLIC KEY-----\n").toString();
  }

  /** SHA-256 (hex) of {@link #toPem()}: the reference tool's {@code publicKey.hint}. */
  public String hint() {
    return Sha256.of(toPem().getBytes(StandardCharsets.US_ASCII)).hex();
  }

  /** True when {@code derSignature} is a valid ECDSA signature over {@code data}. */
  public boolean verify(byte[] data, byte[] derSignature) {
    try {
      Signature verifier = Signature.getInstance(curve.signatureAlgorithm(), Pem.BC);
      verifier.initVerify(key);
      verifier.update(data);
      return verifier.verify(derSignature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false; // a malformed signature is a signature that does not verify
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerifyingKey other && other.key.equals(key);
  }

  @Override
  public int hashCode() {
    return key.hashCode();
  }

  @Override
  public String toString() {
    return "EC " + curve + " key sha256:" + hint().substring(0, 16);
  }
}
