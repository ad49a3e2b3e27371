package dev.airlock.vault.bundle;

/**
 * A bundle that Airlock refuses. The message says what was expected, what was found and what to
 * do; {@link #problem()} names the kind of refusal for callers that map it to an exit code or an
 * HTTP status. Whenever this is thrown, nothing of the bundle is left in the vault.
 */
public final class BundleRejectedException extends RuntimeException {
  /** The closed set of reasons a bundle is refused. */
  public enum Problem {
    /** Not a readable tar, or cut short. */
    CORRUPT,
    /** Not an Airlock bundle, or a format version this build does not understand. */
    NOT_A_BUNDLE,
    /** The manifest is not covered by a valid signature. */
    SIGNATURE_INVALID,
    /** Signed by a key the trust store does not hold for this role. */
    SIGNER_UNTRUSTED,
    SIGNER_REVOKED,
    /** The signing key's validity does not cover now. */
    SIGNER_EXPIRED,
    /** A file's size or SHA-256 differs from the manifest. */
    CONTENT_MISMATCH,
    UNDECLARED_FILE,
    MISSING_FILE,
    /** Absolute paths, {@code ..}, or names outside {@code model/} and {@code sbom/}. */
    UNSAFE_PATH,
    /** Symbolic or hard links, devices, FIFOs, sparse files. */
    UNSUPPORTED_ENTRY,
    DUPLICATE_ENTRY,
    NOT_ENOUGH_SPACE,
    /** Same model version, or same bundle id with other content, already in the vault. */
    CONFLICT,
    /** The publisher's model.sig was made by a trusted publisher but does not verify. */
    PUBLISHER_SIGNATURE_INVALID,
    /** A model file is not what its name promises (e.g. a weights header claiming absurd sizes). */
    INVALID_MODEL_FILE,
  }

  private final Problem problem;

  public BundleRejectedException(Problem problem, String message) {
    super(message);
    this.problem = problem;
  }

  public BundleRejectedException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }

  /** The refusal as the admin API's error code and the audit records name it: {@code bundle_signer_untrusted}, ... */
  public String code() {
    return "bundle_" + problem.name().toLowerCase(java.util.Locale.ROOT);
  }
}
