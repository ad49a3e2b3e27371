package dev.airlock.vault.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.bundle.BundleRejectedException.Problem;
import dev.airlock.vault.signing.Dsse;
import dev.airlock.vault.signing.InTotoStatement;
import dev.airlock.vault.signing.ModelVerifier;
import dev.airlock.vault.signing.SigningKey;
import dev.airlock.vault.signing.SigstoreBundle;
import dev.airlock.vault.signing.VerificationException;
import dev.airlock.vault.signing.VerifiedStatement;
import dev.airlock.vault.signing.VerifyingKey;
import dev.airlock.vault.trust.TrustAnchor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bundle's transfer signature, in the shape OpenSSF Model Signing uses: a sigstore bundle
 * (JSON) holding a DSSE envelope over an in-toto statement whose one subject is the manifest,
 * named {@code bundle/manifest.json}, by its SHA-256. Made with the organization's transfer key
 * (ECDSA), or with a certificate whose chain leads to a trusted transfer CA.
 */
public final class TransferSignature {
  public static final String PREDICATE_TYPE = "https://airlock.dev/bundle-manifest/v1";

  private static final ObjectMapper JSON = new ObjectMapper();

  private TransferSignature() {}

  /** Signs the manifest bytes exactly as they are written into the bundle. */
  public static byte[] sign(byte[] manifestJson, BundleManifest manifest, SigningKey key) {
    ObjectNode predicate = JSON.createObjectNode();
    predicate.put("bundleId", manifest.bundleId());
    predicate.put("model", manifest.modelName());
    predicate.put("version", manifest.modelVersion());
    InTotoStatement statement = new InTotoStatement(
        List.of(new InTotoStatement.Subject(BundlePaths.MANIFEST,
            Map.of("sha256", Sha256.of(manifestJson).hex()))),
        PREDICATE_TYPE, predicate);
    var envelope = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, statement.toJson(), key);
    return SigstoreBundle.of(new SigstoreBundle.PublicKeyHint(Optional.of(key.verifyingKey().hint())),
        envelope).toJson();
  }

  /**
   * Checks that a trusted, unrevoked, currently valid transfer key (or CA) signed exactly these
   * manifest bytes, and returns its trust entry.
   */
  public static TrustAnchor verify(byte[] manifestJson, byte[] signatureJson,
      List<TrustAnchor> transferAnchors, Instant now) {
    SigstoreBundle bundle;
    try {
      bundle = SigstoreBundle.parse(signatureJson);
    } catch (VerificationException e) {
      throw invalid(e.getMessage());
    }
    Optional<String> hint = bundle.material() instanceof SigstoreBundle.PublicKeyHint(var h)
        ? h : Optional.empty();
    boolean hintKnown = false;
    TrustAnchor signer = null;
    VerifiedStatement verified = null;
    String lastFailure = "";
    for (TrustAnchor anchor : transferAnchors) {
      ModelVerifier verifier;
      if (anchor.isCa()) {
        if (!(bundle.material() instanceof SigstoreBundle.CertificateChain)) continue;
        // Validity of the chain is judged at 'now'; the anchor's own window is checked below.
        verifier = ModelVerifier.withTrustedRoots(List.of(anchor.caCertificate().get()),
            Clock.fixed(now, ZoneOffset.UTC));
      } else {
        if (!(bundle.material() instanceof SigstoreBundle.PublicKeyHint)) continue;
        VerifyingKey key = VerifyingKey.of(anchor.publicKey(), anchor.name());
        if (hint.isPresent() && !hint.get().equalsIgnoreCase(key.hint())) continue;
        hintKnown |= hint.isPresent();
        verifier = ModelVerifier.withKey(key);
      }
      try {
        verified = verifier.verifyStatement(bundle);
        signer = anchor;
        break;
      } catch (VerificationException e) {
        lastFailure = e.getMessage();
      }
    }
    if (signer == null) {
      if (hintKnown) {
        throw invalid("it does not verify with the trusted transfer key it names (" + lastFailure
            + "): the manifest or its signature was altered");
      }
      throw new BundleRejectedException(Problem.SIGNER_UNTRUSTED,
          "the bundle is signed by a key that is not a trusted transfer key"
              + hint.map(h -> " (key hint " + h + ")").orElse("") + ". Trust the organization's"
              + " transfer public key with 'airlock trust add --role transfer --key PEM', or pass"
              + " it with --trust-key; if you do trust that key, the bundle was altered.");
    }
    if (signer.isRevoked()) {
      throw new BundleRejectedException(Problem.SIGNER_REVOKED, "the bundle is signed by transfer"
          + " key '" + signer.name() + "' (" + signer.fingerprint() + "), revoked at "
          + signer.revocation().get().at() + " (" + signer.revocation().get().reason()
          + "). Bundles signed by a revoked key are refused; ask for a bundle signed with a current key.");
    }
    if (!signer.isValidAt(now)) {
      throw new BundleRejectedException(Problem.SIGNER_EXPIRED, "the bundle is signed by transfer"
          + " key '" + signer.name() + "' (" + signer.fingerprint() + "), trusted only "
          + signer.notBefore().map(t -> "from " + t + " ").orElse("")
          + signer.notAfter().map(t -> "until " + t).orElse("") + ", and it is now " + now
          + ". Ask for a bundle signed with a current key, or renew the key's trust.");
    }
    InTotoStatement statement = verified.statement();
    if (!PREDICATE_TYPE.equals(statement.predicateType())) {
      throw invalid("the signed statement has predicate type '" + statement.predicateType()
          + "', expected '" + PREDICATE_TYPE + "' (is this a model signature rather than a bundle's?)");
    }
    String manifestDigest = Sha256.of(manifestJson).hex();
    boolean covered = statement.subjects().stream().anyMatch(s ->
        BundlePaths.MANIFEST.equals(s.name()) && manifestDigest.equals(s.digest().get("sha256")));
    if (!covered) {
      throw invalid("the signature covers a different manifest than the one in the bundle"
          + " (manifest sha256:" + manifestDigest + "): the manifest was altered after signing");
    }
    return signer;
  }

  private static BundleRejectedException invalid(String why) {
    return new BundleRejectedException(Problem.SIGNATURE_INVALID,
        "the bundle's manifest signature is invalid: " + why + ". Do not import this bundle;"
            + " ask the sender for a fresh copy.");
  }
}
