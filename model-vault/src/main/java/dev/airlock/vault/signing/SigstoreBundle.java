package dev.airlock.vault.signing;

import static dev.airlock.vault.signing.VerificationException.Check.BUNDLE_FORMAT;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A sigstore bundle (protobuf JSON, v0.3) carrying a DSSE envelope and the material to verify it:
 * either a public-key hint or an X.509 certificate chain (leaf first). No transparency-log entries:
 * OMS key and certificate signatures are made and checked offline.
 */
public record SigstoreBundle(String mediaType, VerificationMaterial material, DsseEnvelope envelope) {
  /** The only bundle media type the reference tool reads and writes. */
  public static final String MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

  /** What the bundle says about the key that signed. */
  public sealed interface VerificationMaterial {}

  /**
   * A public key named by its hint (SHA-256 of its PEM). Older bundles carry no hint (and may carry
   * the key itself in {@code rawBytes}, which is never trusted: the verifier brings its own key).
   */
  public record PublicKeyHint(Optional<String> hint) implements VerificationMaterial {}

  /** A certificate chain, signing certificate first, then intermediates. */
  public record CertificateChain(List<X509Certificate> certificates) implements VerificationMaterial {
    public CertificateChain {
      certificates = List.copyOf(certificates);
    }
  }

  public SigstoreBundle {
    if (!MEDIA_TYPE.equals(mediaType)) {
      throw new IllegalArgumentException("bundle media type must be " + MEDIA_TYPE);
    }
  }

  public static SigstoreBundle of(VerificationMaterial material, DsseEnvelope envelope) {
    return new SigstoreBundle(MEDIA_TYPE, material, envelope);
  }

  /** Parses a bundle; any deviation from the expected shape is a {@code BUNDLE_FORMAT} failure. */
  public static SigstoreBundle parse(byte[] json) throws VerificationException {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw bad("the signature file is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    if (root == null || !root.isObject()) {
      throw bad("the signature file is not a JSON object");
    }
    String mediaType = Json.text(root, "mediaType").orElse("(none)");
    if (!MEDIA_TYPE.equals(mediaType)) {
      throw bad("bundle media type is '" + mediaType + "', expected '" + MEDIA_TYPE + "'");
    }
    try {
      return new SigstoreBundle(mediaType, material(root.get("verificationMaterial")),
          envelope(root.get("dsseEnvelope")));
    } catch (IllegalArgumentException e) {
      throw bad("malformed field: " + e.getMessage());
    }
  }

  private static VerificationMaterial material(JsonNode node) throws VerificationException {
    if (node == null || !node.isObject()) {
      throw bad("'verificationMaterial' is missing");
    }
    if (node.hasNonNull("publicKey")) {
      return new PublicKeyHint(Json.text(node.get("publicKey"), "hint").filter(h -> !h.isEmpty()));
    }
    JsonNode chain = node.path("x509CertificateChain").path("certificates");
    List<JsonNode> raw = new ArrayList<>();
    if (chain.isArray()) {
      chain.forEach(raw::add);
    } else if (node.hasNonNull("certificate")) {
      raw.add(node.get("certificate"));
    }
    if (raw.isEmpty()) {
      throw bad("'verificationMaterial' has neither 'publicKey' nor 'x509CertificateChain'"
          + " certificates; Airlock verifies OMS key and certificate signatures");
    }
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509", Pem.BC);
      for (JsonNode cert : raw) {
        String der = Json.text(cert, "rawBytes").orElseThrow(
            () -> bad("a certificate in 'verificationMaterial' has no 'rawBytes'"));
        certificates.add((X509Certificate) factory.generateCertificate(
            new ByteArrayInputStream(Json.base64(der))));
      }
    } catch (CertificateException e) {
      throw bad("a certificate in 'verificationMaterial' is not valid DER X.509: " + e.getMessage());
    }
    return new CertificateChain(certificates);
  }

  private static DsseEnvelope envelope(JsonNode node) throws VerificationException {
    if (node == null || !node.isObject()) {
      throw bad("'dsseEnvelope' is missing; expected a DSSE envelope (message signatures are not"
          + " used by OMS)");
    }
    String payload = Json.text(node, "payload").orElseThrow(() -> bad("'dsseEnvelope.payload' is missing"));
    String payloadType = Json.text(node, "payloadType")
        .orElseThrow(() -> bad("'dsseEnvelope.payloadType' is missing"));
    List<DsseEnvelope.Signature> signatures = new ArrayList<>();
    for (JsonNode s : node.path("signatures")) {
      String sig = Json.text(s, "sig").orElseThrow(() -> bad("a DSSE signature has no 'sig'"));
      signatures.add(new DsseEnvelope.Signature(Json.base64(sig), Json.text(s, "keyid")));
    }
    if (signatures.isEmpty()) {
      throw bad("'dsseEnvelope.signatures' is empty; expected one signature");
    }
    return new DsseEnvelope(payloadType, Json.base64(payload), signatures);
  }

  /** The bundle as the reference tool writes it. */
  public byte[] toJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("mediaType", mediaType);
    ObjectNode vm = root.putObject("verificationMaterial");
    switch (material) {
      case PublicKeyHint k -> {
        ObjectNode pk = vm.putObject("publicKey");
        k.hint().ifPresent(h -> pk.put("hint", h));
      }
      case CertificateChain c -> {
        ArrayNode certs = vm.putObject("x509CertificateChain").putArray("certificates");
        for (X509Certificate cert : c.certificates()) {
          try {
            certs.addObject().put("rawBytes", Json.base64(cert.getEncoded()));
          } catch (CertificateEncodingException e) {
            throw new IllegalStateException("re-encoding a parsed certificate", e);
          }
        }
      }
    }
    vm.putArray("tlogEntries");
    ObjectNode env = root.putObject("dsseEnvelope");
    env.put("payload", Json.base64(envelope.payload()));
    env.put("payloadType", envelope.payloadType());
    ArrayNode sigs = env.putArray("signatures");
    for (DsseEnvelope.Signature s : envelope.signatures()) {
      sigs.addObject().put("sig", Json.base64(s.sig())).put("keyid", s.keyid().orElse(""));
    }
    try {
      return Json.PRETTY.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("writing JSON to memory cannot fail", e);
    }
  }

  private static VerificationException bad(String what) {
    return new VerificationException(BUNDLE_FORMAT, "not a valid OMS signature bundle: " + what);
  }
}
