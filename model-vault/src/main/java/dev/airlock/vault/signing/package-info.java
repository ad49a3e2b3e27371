/**
 * OpenSSF Model Signing (OMS v1.0): signing and verifying models, a directory or a single file,
 * and the DSSE / in-toto building blocks other parts of the vault reuse.
 *
 * <p>The shape on disk is the one the reference tool ({@code model_signing}) writes: a sigstore
 * bundle (JSON, media type {@code application/vnd.dev.sigstore.bundle.v0.3+json}) holding a DSSE
 * envelope whose payload is an in-toto statement with predicate type
 * {@code https://model_signing/signature/v1.0}. The statement lists every file (or file shard)
 * with its SHA-256, and its single subject carries the root digest: SHA-256 over the listed
 * digests, concatenated in order. A model that is one file is one resource named {@code "."}.
 *
 * <p>Entry points: {@link dev.airlock.vault.signing.ModelSigner} and
 * {@link dev.airlock.vault.signing.ModelVerifier} for models;
 * {@link dev.airlock.vault.signing.Dsse}, {@link dev.airlock.vault.signing.InTotoStatement} and
 * {@link dev.airlock.vault.signing.SigstoreBundle} for any other statement (the bundle manifest).
 */
package dev.airlock.vault.signing;
