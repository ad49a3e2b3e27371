package dev.airlock.vault.signing;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Small X.509 hierarchies for the certificate method's failure cases. */
final class TestCertificates {
  static final Instant NOT_BEFORE = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant NOT_AFTER = Instant.parse("2027-01-01T00:00:00Z");
  private static final AtomicLong SERIAL = new AtomicLong(1);

  record Issued(X509Certificate certificate, KeyPair keys) {}

  private TestCertificates() {}

  static KeyPair ecKeys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", Pem.BC);
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static Issued root(String cn) throws Exception {
    KeyPair keys = ecKeys();
    return new Issued(build(cn, cn, keys.getPublic(), keys.getPrivate(), true,
        KeyUsage.keyCertSign | KeyUsage.cRLSign, null, NOT_BEFORE, NOT_AFTER), keys);
  }

  static Issued leaf(Issued issuer, String cn, int keyUsage, KeyPurposeId eku, Instant from,
      Instant to) throws Exception {
    KeyPair keys = ecKeys();
    return new Issued(build(cn, issuer.certificate().getSubjectX500Principal().getName(),
        keys.getPublic(), issuer.keys().getPrivate(), false, keyUsage, eku, from, to), keys);
  }

  private static X509Certificate build(String subject, String issuer, PublicKey key,
      PrivateKey signer, boolean ca, int keyUsage, KeyPurposeId eku, Instant from, Instant to)
      throws Exception {
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
        new X500Name(issuer.startsWith("CN=") ? issuer : "CN=" + issuer),
        BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(from), Date.from(to),
        new X500Name("CN=" + subject), key);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (keyUsage != 0) b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
    if (eku != null) b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku));
    b.addExtension(Extension.subjectKeyIdentifier, false,
        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key));
    return new JcaX509CertificateConverter().setProvider(Pem.BC).getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(Pem.BC).build(signer)));
  }

  /** A model signature made with the certificate method: the leaf's key, leaf-first chain. */
  static SigstoreBundle signWithCertificate(ModelManifest manifest, Issued leaf) {
    SigningKey key = SigningKey.fromPem(
        "-----BEGIN PRIVATE KEY-----\n"
            + java.util.Base64.getMimeEncoder().encodeToString(leaf.keys().getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n", "leaf key");
    return SigstoreBundle.of(
        new SigstoreBundle.CertificateChain(java.util.List.of(leaf.certificate())),
        Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, manifest.toStatement().toJson(), key));
  }
}
