package dev.airlock.vault.catalog;

import java.util.Optional;

/** What became of the publisher's own model signature ({@code model.sig}) at import. */
public record PublisherSignature(Status status, Optional<String> signerName,
    Optional<String> signerFingerprint, String detail) {

  public enum Status {
    /** model.sig verified against a trusted publisher key or CA. */
    VERIFIED,
    /** model.sig is present but its signer is not a trusted publisher. */
    SIGNER_NOT_TRUSTED,
    /** The model directory carries no model.sig. */
    ABSENT
  }

  public static PublisherSignature absent() {
    return new PublisherSignature(Status.ABSENT, Optional.empty(), Optional.empty(),
        "the model directory carries no model.sig");
  }
}
