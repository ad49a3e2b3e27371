package dev.airlock.vault.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * An ECDSA private key on one of the signing curves (P-256, P-384; P-521 is accepted too),
 * with its public half. Signatures are DER-encoded ECDSA, as the reference tool writes them.
 */
public final class SigningKey {
  private final PrivateKey key;
  private final VerifyingKey publicKey;

  private SigningKey(PrivateKey key, VerifyingKey publicKey) {
    this.key = key;
    this.publicKey = publicKey;
  }

  /** A fresh key pair on {@code curve}. */
  public static SigningKey generate(Curve curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", Pem.BC);
      generator.initialize(new ECGenParameterSpec(curve.standardName()));
      KeyPair pair = generator.generateKeyPair();
      return new SigningKey(pair.getPrivate(), VerifyingKey.of(pair.getPublic(), "generated key"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BouncyCastle generates " + curve + " keys", e);
    }
  }

  /** Reads an unencrypted PEM private key (PKCS#8 {@code PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}). */
  public static SigningKey fromPem(Path file) throws IOException {
    return fromPem(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
  }

  public static SigningKey fromPem(String pem, String source) {
    try {
      for (Object o : Pem.readAll(pem)) {
        if (o instanceof PrivateKeyInfo info) {
          return fromPrivateKeyInfo(info, source);
        }
        if (o instanceof PEMKeyPair pair) {
          return fromPrivateKeyInfo(pair.getPrivateKeyInfo(), source);
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not a readable PEM private key: "
          + e.getMessage(), e);
    }
    throw new IllegalArgumentException(source + ": no unencrypted private key found; expected a PEM"
        + " block '-----BEGIN PRIVATE KEY-----' (an EC P-256 or P-384 key, e.g. the private.pem from"
        + " 'airlock keys generate')");
  }

  private static SigningKey fromPrivateKeyInfo(PrivateKeyInfo info, String source)
      throws PEMException {
    AlgorithmIdentifier algorithm = info.getPrivateKeyAlgorithm();
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm.getAlgorithm())) {
      throw new IllegalArgumentException(source + ": expected an elliptic-curve private key, found "
          + "algorithm " + algorithm.getAlgorithm().getId());
    }
    PrivateKey key = new JcaPEMKeyConverter().setProvider(Pem.BC).getPrivateKey(info);
    ECPrivateKey ec = ECPrivateKey.getInstance(info.getPrivateKey().getOctets());
    VerifyingKey pub;
    if (ec.getPublicKey() != null) {
      pub = VerifyingKey.fromSpki(new SubjectPublicKeyInfo(algorithm, ec.getPublicKey().getBytes()),
          source);
    } else {
      pub = derivePublic(key, algorithm, source);
    }
    return new SigningKey(key, pub);
  }

  private static VerifyingKey derivePublic(PrivateKey key, AlgorithmIdentifier algorithm,
      String source) {
    var bcKey = (org.bouncycastle.jce.interfaces.ECPrivateKey) key;
    var q = bcKey.getParameters().getG().multiply(bcKey.getD()).normalize();
    return VerifyingKey.fromSpki(new SubjectPublicKeyInfo(algorithm, q.getEncoded(false)), source);
  }

  public VerifyingKey verifyingKey() {
    return publicKey;
  }

  public Curve curve() {
    return publicKey.curve();
  }

  /** DER-encoded ECDSA over {@code data}, hashed with the curve's hash. */
  public byte[] sign(byte[] data) {
    try {
      Signature signer = Signature.getInstance(curve().signatureAlgorithm(), Pem.BC);
      signer.initSign(key);
      signer.update(data);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA signing with a loaded EC key", e);
    }
  }

  /** The private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
  public String toPkcs8Pem() {
    try {
      return Pem.write(new JcaPKCS8Generator(key, null));
    } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
      throw new IllegalStateException("PKCS#8 encoding of an EC key", e);
    }
  }

  @Override
  public String toString() {
    return "signing key for " + publicKey; // never the private part
  }
}
