package dev.airlock.vault.signing;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A DSSE envelope: a typed payload and its signatures, each over {@link Dsse#pae}.
 *
 * @see <a href="https://github.com/secure-systems-lab/dsse/blob/v1.0.0/envelope.md">DSSE envelope</a>
 */
public record DsseEnvelope(String payloadType, byte[] payload, List<Signature> signatures) {
  /** One signature; {@code keyid} is optional and never trusted (empty, null and absent are alike). */
  public record Signature(byte[] sig, Optional<String> keyid) {
    public Signature {
      Objects.requireNonNull(sig, "sig");
      sig = sig.clone();
      keyid = keyid.filter(k -> !k.isEmpty());
    }

    @Override
    public byte[] sig() {
      return sig.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Signature other && Arrays.equals(other.sig, sig) && other.keyid.equals(keyid);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(sig);
    }
  }

  public DsseEnvelope {
    Objects.requireNonNull(payloadType, "payloadType");
    payload = payload.clone();
    signatures = List.copyOf(signatures);
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DsseEnvelope e && e.payloadType.equals(payloadType)
        && Arrays.equals(e.payload, payload) && e.signatures.equals(signatures);
  }

  @Override
  public int hashCode() {
    return Objects.hash(payloadType, Arrays.hashCode(payload));
  }
}
