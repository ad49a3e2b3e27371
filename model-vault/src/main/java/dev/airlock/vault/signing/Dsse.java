package dev.airlock.vault.signing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Dead Simple Signing Envelope v1: the pre-authentication encoding (PAE) and signing / verifying
 * an envelope with an EC key.
 */
public final class Dsse {
  /** The payload type of an in-toto statement. */
  public static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

  private Dsse() {}

  /**
   * {@code "DSSEv1" SP len(type) SP type SP len(payload) SP payload}, lengths in ASCII decimal
   * bytes: the exact bytes that get signed.
   */
  public static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /** Signs {@code payload} into an envelope with one signature and an empty key id. */
  public static DsseEnvelope sign(String payloadType, byte[] payload, SigningKey key) {
    byte[] sig = key.sign(pae(payloadType, payload));
    return new DsseEnvelope(payloadType, payload,
        List.of(new DsseEnvelope.Signature(sig, Optional.empty())));
  }

  /**
   * Checks the envelope's first signature with {@code key} (the reference tool reads only the
   * first) and returns the payload.
   */
  public static byte[] verify(DsseEnvelope envelope, VerifyingKey key)
      throws VerificationException {
    if (envelope.signatures().isEmpty()) {
      throw new VerificationException(VerificationException.Check.BUNDLE_FORMAT,
          "the DSSE envelope has no signatures; expected one signature by the model's signer");
    }
    byte[] payload = envelope.payload();
    if (!key.verify(pae(envelope.payloadType(), payload), envelope.signatures().getFirst().sig())) {
      throw new VerificationException(VerificationException.Check.SIGNATURE,
          "signature check failed: the DSSE signature does not verify with " + key
              + " over the envelope's payload; the statement or the signature was altered, or it"
              + " was signed by a different key");
    }
    return payload;
  }
}
