package dev.airlock.vault.bundle;

import dev.airlock.vault.catalog.PublisherSignature;
import dev.airlock.vault.trust.TrustAnchor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Checks the publisher's own OpenSSF Model Signing signature ({@code model.sig}) of a model
 * directory against the trusted publisher keys and CA roots.
 */
@FunctionalInterface
public interface PublisherSignatureCheck {
  /**
   * @return what became of the signature: verified by a trusted publisher, or made by a signer
   *     who is not trusted
   * @throws BundleRejectedException with {@code PUBLISHER_SIGNATURE_INVALID} when the signature
   *     names a trusted publisher but does not verify against the files
   */
  PublisherSignature check(Path modelDir, List<TrustAnchor> publisherAnchors, Instant now)
      throws IOException;
}
