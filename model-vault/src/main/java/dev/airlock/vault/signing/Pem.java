package dev.airlock.vault.signing;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.Provider;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.PEMParser;

/** PEM reading and writing, and the one BouncyCastle provider instance the package uses. */
final class Pem {
  /** A private provider instance: no global {@code Security.addProvider} side effect. */
  static final Provider BC = new BouncyCastleProvider();

  private Pem() {}

  /** Every PEM object in the text, in order (keys, certificates, ...). */
  static List<Object> readAll(String text) throws IOException {
    List<Object> objects = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      for (Object o; (o = parser.readObject()) != null; ) {
        objects.add(o);
      }
    }
    return objects;
  }

  /** All certificates in a PEM text, in order; other PEM objects are an error. */
  static List<X509Certificate> certificates(String text, String source) {
    try {
      List<X509Certificate> certs = new ArrayList<>();
      for (Object o : readAll(text)) {
        if (!(o instanceof X509CertificateHolder holder)) {
          throw new IllegalArgumentException(
              source + ": expected only PEM certificates (BEGIN CERTIFICATE), found "
                  + o.getClass().getSimpleName());
        }
        certs.add(new JcaX509CertificateConverter().setProvider(BC).getCertificate(holder));
      }
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(
            source + ": no PEM certificate found (expected -----BEGIN CERTIFICATE-----)");
      }
      return certs;
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException(source + ": not a readable PEM certificate: "
          + e.getMessage(), e);
    }
  }

  static String write(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new IllegalStateException("writing PEM to memory cannot fail", e);
    }
    return out.toString();
  }
}
