package dev.airlock.vault.signing;

/** How a signature's key is trusted: a known public key, or a certificate chain to a known root. */
public enum SigningMethod {
  KEY("key"),
  CERTIFICATE("certificate");

  private final String label;

  SigningMethod(String label) {
    this.label = label;
  }

  /** The reference tool's name for the method. */
  public String label() {
    return label;
  }
}
