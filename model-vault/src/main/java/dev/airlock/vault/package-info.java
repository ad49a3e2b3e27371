/**
 * The model vault: where model weights enter Airlock and where they are kept.
 *
 * <p>Owns: the offline bundle format (write and read), signature verification (OpenSSF Model
 * Signing), the trust store, content-addressed blob storage, model metadata (safetensors, GGUF,
 * config.json, model card), the model catalog and its lifecycle states.
 *
 * <p>Does not own: license judgement (license-audit and policies) or anything HTTP
 * (appliance-server). Lifecycle transitions are reported to the caller, which audits them.
 */
package dev.airlock.vault;
