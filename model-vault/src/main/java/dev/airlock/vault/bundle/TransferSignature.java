package dev.airlock.vault.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.bundle.BundleRejectedException.Problem;
import dev.airlock.vault.trust.PemKeys;
import dev.airlock.vault.trust.TrustAnchor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The bundle's transfer signature, shaped like an OpenSSF Model Signing signature: a sigstore
 * bundle JSON holding a DSSE envelope over an in-toto statement whose one subject is the
 * manifest (by SHA-256), signed with the organization's transfer key (ECDSA).
 */
public final class TransferSignature {
  public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  public static final String PREDICATE_TYPE = "https://airlock.dev/bundle-manifest/v1";
  public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";
  public static final String MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private TransferSignature() {}

  /** Signs the manifest bytes exactly as they are written into the bundle. */
  public static byte[] sign(byte[] manifestJson, BundleManifest manifest, KeyPair key) {
    ObjectNode statement = JSON.createObjectNode();
    statement.put("_type", STATEMENT_TYPE);
    ObjectNode subject = statement.putArray("subject").addObject();
    subject.put("name", BundlePaths.MANIFEST);
    subject.putObject("digest").put("sha256", Sha256.of(manifestJson).hex());
    statement.put("predicateType", PREDICATE_TYPE);
    ObjectNode predicate = statement.putObject("predicate");
    predicate.put("bundleId", manifest.bundleId());
    predicate.put("model", manifest.modelName());
    predicate.put("version", manifest.modelVersion());
    predicate.put("signedAt", DateTimeFormatter.ISO_INSTANT.format(manifest.created()));
    try {
      byte[] payload = JSON.writeValueAsBytes(statement);
      byte[] sig = ecdsa(key.getPublic(), true).sign(key.getPrivate(), pae(payload));
      ObjectNode bundle = JSON.createObjectNode();
      bundle.put("mediaType", MEDIA_TYPE);
      bundle.putObject("verificationMaterial").putObject("publicKey")
          .put("hint", PemKeys.fingerprint(key.getPublic()).hex());
      ObjectNode envelope = bundle.putObject("dsseEnvelope");
      envelope.put("payload", Base64.getEncoder().encodeToString(payload));
      envelope.put("payloadType", PAYLOAD_TYPE);
      ObjectNode s = envelope.putArray("signatures").addObject();
      s.put("sig", Base64.getEncoder().encodeToString(sig));
      s.put("keyid", "");
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(bundle);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign the manifest: " + e.getMessage(), e);
    }
  }

  /**
   * Checks that a trusted, unrevoked, currently valid transfer key signed exactly these manifest
   * bytes, and returns that key's trust entry.
   */
  public static TrustAnchor verify(byte[] manifestJson, byte[] signatureJson,
      List<TrustAnchor> transferAnchors, Instant now) {
    JsonNode bundle;
    try {
      bundle = JSON.readTree(signatureJson);
    } catch (IOException e) {
      throw invalid("the signature entry is not JSON (" + e.getMessage() + ")");
    }
    JsonNode envelope = bundle == null ? null : bundle.get("dsseEnvelope");
    if (envelope == null || !PAYLOAD_TYPE.equals(envelope.path("payloadType").asText())) {
      throw invalid("the signature entry holds no DSSE envelope with payload type " + PAYLOAD_TYPE);
    }
    byte[] payload;
    List<byte[]> signatures = new ArrayList<>();
    try {
      payload = Base64.getDecoder().decode(envelope.path("payload").asText());
      for (JsonNode s : envelope.path("signatures")) {
        signatures.add(Base64.getDecoder().decode(s.path("sig").asText()));
      }
    } catch (IllegalArgumentException e) {
      throw invalid("the DSSE envelope is not valid base64");
    }
    if (signatures.isEmpty()) throw invalid("the DSSE envelope carries no signature");
    byte[] signedBytes = pae(payload);
    String hint = bundle.path("verificationMaterial").path("publicKey").path("hint").asText("");

    Optional<TrustAnchor> signer = Optional.empty();
    for (TrustAnchor anchor : transferAnchors) {
      if (anchor.isCa()) continue; // transfer signatures are made with keys, not certificates
      for (byte[] sig : signatures) {
        if (verifies(anchor.publicKey(), signedBytes, sig)) {
          signer = Optional.of(anchor);
          break;
        }
      }
      if (signer.isPresent()) break;
    }
    if (signer.isEmpty()) {
      boolean hintKnown = transferAnchors.stream().anyMatch(a -> a.fingerprint().hex().equals(hint));
      if (hintKnown) {
        throw invalid("the signature does not verify with the trusted transfer key it names ("
            + "sha256:" + hint + "): the manifest or its signature was altered");
      }
      throw new BundleRejectedException(Problem.SIGNER_UNTRUSTED,
          "the bundle is signed by a key that is not a trusted transfer key"
              + (hint.isEmpty() ? "" : " (sha256:" + hint + ")") + ". Trust the organization's"
              + " transfer public key with 'airlock trust add --role transfer --key PEM', or pass"
              + " it with --trust-key; if you do trust that key, the bundle was altered.");
    }
    TrustAnchor anchor = signer.get();
    if (anchor.isRevoked()) {
      throw new BundleRejectedException(Problem.SIGNER_REVOKED, "the bundle is signed by transfer"
          + " key '" + anchor.name() + "' (" + anchor.fingerprint() + "), revoked at "
          + anchor.revocation().get().at() + " (" + anchor.revocation().get().reason()
          + "). Bundles signed by a revoked key are refused; ask for a bundle signed with a current key.");
    }
    if (!anchor.isValidAt(now)) {
      throw new BundleRejectedException(Problem.SIGNER_EXPIRED, "the bundle is signed by transfer"
          + " key '" + anchor.name() + "' (" + anchor.fingerprint() + "), trusted only "
          + anchor.notBefore().map(t -> "from " + t + " ").orElse("")
          + anchor.notAfter().map(t -> "until " + t).orElse("") + ", and it is now " + now
          + ". Ask for a bundle signed with a current key, or renew the key's trust.");
    }

    JsonNode statement;
    try {
      statement = JSON.readTree(payload);
    } catch (IOException e) {
      throw invalid("the signed statement is not JSON");
    }
    if (!STATEMENT_TYPE.equals(statement.path("_type").asText())
        || !PREDICATE_TYPE.equals(statement.path("predicateType").asText())) {
      throw invalid("the signed statement is not an Airlock bundle-manifest statement (expected"
          + " _type " + STATEMENT_TYPE + " and predicateType " + PREDICATE_TYPE + ")");
    }
    String manifestDigest = Sha256.of(manifestJson).hex();
    boolean covered = false;
    for (JsonNode subject : statement.path("subject")) {
      if (BundlePaths.MANIFEST.equals(subject.path("name").asText())
          && manifestDigest.equals(subject.path("digest").path("sha256").asText())) {
        covered = true;
      }
    }
    if (!covered) {
      throw invalid("the signature covers a different manifest than the one in the bundle"
          + " (manifest sha256:" + manifestDigest + "): the manifest was altered after signing");
    }
    return anchor;
  }

  /** DSSE pre-authentication encoding: what is actually signed. */
  static byte[] pae(byte[] payload) {
    byte[] type = PAYLOAD_TYPE.getBytes(StandardCharsets.UTF_8);
    byte[] head = ("DSSEv1 " + type.length + " " + PAYLOAD_TYPE + " " + payload.length + " ")
        .getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + payload.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(payload, 0, out, head.length, payload.length);
    return out;
  }

  private static boolean verifies(PublicKey key, byte[] data, byte[] sig) {
    try {
      return ecdsa(key, false).verify(key, data, sig);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** ECDSA with the hash that matches the curve, as OpenSSF Model Signing does. */
  private record Ecdsa(String algorithm) {
    byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(data);
      return s.sign();
    }

    boolean verify(PublicKey key, byte[] data, byte[] sig) throws GeneralSecurityException {
      Signature s = Signature.getInstance(algorithm);
      s.initVerify(key);
      s.update(data);
      return s.verify(sig);
    }
  }

  private static Ecdsa ecdsa(PublicKey key, boolean signing) throws GeneralSecurityException {
    if (!(key instanceof ECKey ec)) {
      throw new GeneralSecurityException("transfer keys are ECDSA (P-256, P-384, P-521), got "
          + key.getAlgorithm());
    }
    int bits = ec.getParams().getCurve().getField().getFieldSize();
    return new Ecdsa(bits <= 256 ? "SHA256withECDSA" : bits <= 384 ? "SHA384withECDSA" : "SHA512withECDSA");
  }

  private static BundleRejectedException invalid(String why) {
    return new BundleRejectedException(Problem.SIGNATURE_INVALID,
        "the bundle's manifest signature is invalid: " + why + ". Do not import this bundle;"
            + " ask the sender for a fresh copy.");
  }
}
