package dev.airlock.vault.bundle;

import dev.airlock.vault.Progress;
import dev.airlock.vault.bundle.BundleRejectedException.Problem;
import dev.airlock.vault.catalog.PublisherSignature;
import dev.airlock.vault.signing.ModelSignature;
import dev.airlock.vault.signing.ModelVerifier;
import dev.airlock.vault.signing.SigstoreBundle;
import dev.airlock.vault.signing.VerificationException;
import dev.airlock.vault.signing.VerifiedModel;
import dev.airlock.vault.signing.VerifyingKey;
import dev.airlock.vault.trust.TrustAnchor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * Verifies the publisher's {@code model.sig} (OpenSSF Model Signing) with the trusted publisher
 * keys and CA roots: the key whose hint the signature names, or the CA its chain leads to. The
 * signature covers the model directory, or, when the publisher signed a single file (resource
 * {@code "."}), the one file beside {@code model.sig}: see {@link ModelVerifier#verifyPublished}.
 */
public final class OmsPublisherCheck implements PublisherSignatureCheck {
  @Override
  public PublisherSignature check(Path modelDir, List<TrustAnchor> anchors, Instant now) throws IOException {
    Path sigFile = modelDir.resolve("model.sig");
    ModelSignature signature;
    try {
      signature = ModelSignature.read(sigFile);
    } catch (VerificationException e) {
      throw rejected(Problem.PUBLISHER_SIGNATURE_INVALID, "the publisher's model.sig is not a valid"
          + " OpenSSF Model Signing signature: " + e.getMessage());
    }
    SigstoreBundle bundle = signature.bundle();
    for (TrustAnchor anchor : anchors) {
      ModelVerifier verifier;
      if (anchor.isCa()) {
        if (!(bundle.material() instanceof SigstoreBundle.CertificateChain chain)) continue;
        if (!leadsTo(chain, anchor)) continue;
        verifier = ModelVerifier.withTrustedRoots(List.of(anchor.caCertificate().get()),
            Clock.fixed(now, ZoneOffset.UTC));
      } else {
        if (!(bundle.material() instanceof SigstoreBundle.PublicKeyHint(var hint))) continue;
        VerifyingKey key = VerifyingKey.of(anchor.publicKey(), anchor.name());
        if (hint.isPresent() && !hint.get().equalsIgnoreCase(key.hint())) continue;
        if (hint.isEmpty() && !signedWith(bundle, key)) continue;
        verifier = ModelVerifier.withKey(key);
      }
      if (anchor.isRevoked()) {
        throw rejected(Problem.SIGNER_REVOKED, "the model is signed by publisher '" + anchor.name()
            + "', whose trust was revoked at " + anchor.revocation().get().at() + " ("
            + anchor.revocation().get().reason() + "); models signed by a revoked publisher are refused");
      }
      if (!anchor.isValidAt(now)) {
        throw rejected(Problem.SIGNER_EXPIRED, "the model is signed by publisher '" + anchor.name()
            + "', trusted only " + anchor.notBefore().map(t -> "from " + t + " ").orElse("")
            + anchor.notAfter().map(t -> "until " + t).orElse("") + ", and it is now " + now
            + "; renew the publisher's trust or ask for a model signed with a current key");
      }
      try {
        VerifiedModel verified = verifier.verifyPublished(modelDir, Progress.NONE);
        long files = verified.fileCount();
        return new PublisherSignature(PublisherSignature.Status.VERIFIED, Optional.of(anchor.name()),
            Optional.of(anchor.fingerprint().hex()), verified.method().name().toLowerCase(java.util.Locale.ROOT)
                + " method, signer " + verified.signer() + ", " + (verified.manifest().isSingleFile()
                    ? "a single file" : files + (files == 1 ? " file" : " files")));
      } catch (VerificationException e) {
        throw rejected(Problem.PUBLISHER_SIGNATURE_INVALID, "the publisher's model.sig names trusted"
            + " publisher '" + anchor.name() + "' but does not verify: " + e.getMessage());
      }
    }
    return new PublisherSignature(PublisherSignature.Status.SIGNER_NOT_TRUSTED, Optional.empty(),
        Optional.empty(), "model.sig is signed by " + describe(bundle) + ", not a trusted publisher");
  }

  /** For signatures without a key hint (older reference-tool versions): does this key verify it? */
  private static boolean signedWith(SigstoreBundle bundle, VerifyingKey key) {
    try {
      ModelVerifier.withKey(key).verifyStatement(bundle);
      return true;
    } catch (VerificationException e) {
      return false;
    }
  }

  private static boolean leadsTo(SigstoreBundle.CertificateChain chain, TrustAnchor anchor) {
    var root = anchor.caCertificate().get().getSubjectX500Principal();
    return chain.certificates().stream().anyMatch(c ->
        c.getIssuerX500Principal().equals(root) || c.getSubjectX500Principal().equals(root));
  }

  private static String describe(SigstoreBundle bundle) {
    return switch (bundle.material()) {
      case SigstoreBundle.PublicKeyHint(var hint) -> "the key " + hint.map(h -> "with hint " + h).orElse("(no hint)");
      case SigstoreBundle.CertificateChain chain -> chain.certificates().isEmpty() ? "an empty chain"
          : "'" + chain.certificates().getFirst().getSubjectX500Principal().getName() + "'";
    };
  }

  private static BundleRejectedException rejected(Problem p, String message) {
    return new BundleRejectedException(p, message + ". Nothing was imported.");
  }
}
