package dev.airlock.vault.trust;

import dev.airlock.vault.Sha256;
import java.io.IOException;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.interfaces.ECPrivateKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jce.spec.ECPublicKeySpec;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Reads PEM keys and certificates (BouncyCastle's parser), and names a key by its fingerprint. */
public final class PemKeys {
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();

  private PemKeys() {}

  /** SHA-256 over the DER SubjectPublicKeyInfo: a stable name for a public key. */
  public static Sha256 fingerprint(PublicKey key) {
    return Sha256.of(key.getEncoded());
  }

  public static PublicKey readPublicKey(Path pem) throws IOException {
    Object o = readObject(pem);
    if (o instanceof SubjectPublicKeyInfo spki) return new JcaPEMKeyConverter().getPublicKey(spki);
    if (o instanceof X509CertificateHolder cert) {
      return new JcaPEMKeyConverter().getPublicKey(cert.getSubjectPublicKeyInfo());
    }
    throw new IOException(pem + " holds no public key (expected '-----BEGIN PUBLIC KEY-----')");
  }

  /** A private key and its public half, from SEC1 ("EC PRIVATE KEY") or PKCS#8 PEM. */
  public static KeyPair readKeyPair(Path pem) throws IOException {
    Object o = readObject(pem);
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BC);
    if (o instanceof PEMKeyPair pair) return converter.getKeyPair(pair);
    if (o instanceof PrivateKeyInfo info) {
      PrivateKey priv = converter.getPrivateKey(info);
      return new KeyPair(publicOf(priv), priv);
    }
    throw new IOException(pem + " holds no unencrypted private key (expected '-----BEGIN PRIVATE KEY-----'"
        + " or '-----BEGIN EC PRIVATE KEY-----'); generate one with 'airlock keys generate'");
  }

  public static List<X509Certificate> readCertificates(Path pem) throws IOException {
    List<X509Certificate> certs = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      for (Object o; (o = parser.readObject()) != null; ) {
        if (o instanceof X509CertificateHolder holder) {
          certs.add(new JcaX509CertificateConverter().getCertificate(holder));
        }
      }
    } catch (CertificateException e) {
      throw new IOException(pem + " holds a certificate that cannot be read: " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new IOException(pem + " holds no certificate (expected '-----BEGIN CERTIFICATE-----')");
    }
    return certs;
  }

  public static String toPem(String type, byte[] der) {
    String b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
  }

  public static PublicKey publicKeyFromDer(byte[] der) throws IOException {
    try {
      String algorithm = SubjectPublicKeyInfo.getInstance(der).getAlgorithm().getAlgorithm()
          .equals(org.bouncycastle.asn1.x9.X9ObjectIdentifiers.id_ecPublicKey) ? "EC" : "RSA";
      return KeyFactory.getInstance(algorithm, BC).generatePublic(new X509EncodedKeySpec(der));
    } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException("not a public key: " + e.getMessage(), e);
    }
  }

  private static PublicKey publicOf(PrivateKey priv) throws IOException {
    if (!(priv instanceof ECPrivateKey ec)) {
      throw new IOException("only EC private keys (P-256, P-384, P-521) sign Airlock bundles, got "
          + priv.getAlgorithm());
    }
    try {
      BigInteger d = ec.getD();
      var q = ec.getParameters().getG().multiply(d).normalize();
      return KeyFactory.getInstance("EC", BC).generatePublic(new ECPublicKeySpec(q, ec.getParameters()));
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot derive the public key: " + e.getMessage(), e);
    }
  }

  private static Object readObject(Path pem) throws IOException {
    if (!Files.isRegularFile(pem)) throw new IOException("no such file: " + pem);
    try (Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      Object o = parser.readObject();
      if (o == null) throw new IOException(pem + " is not a PEM file");
      return o;
    }
  }
}
