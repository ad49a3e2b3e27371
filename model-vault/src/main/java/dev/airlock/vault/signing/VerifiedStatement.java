package dev.airlock.vault.signing;

/** A statement whose signature verified: who signed it, how that signer is trusted, and what it says. */
public record VerifiedStatement(SigningMethod method, String signer, InTotoStatement statement) {}
