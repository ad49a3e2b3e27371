package dev.airlock.vault.signing;

import java.util.List;

/**
 * A signature or a model did not pass verification. {@link #check()} names the check that failed;
 * the message says what was expected, what was found, and what to do.
 */
public final class VerificationException extends Exception {
  /** The checks a signature and a model go through, in the order they run. */
  public enum Check {
    /** The signature file is not a sigstore bundle of the expected shape. */
    BUNDLE_FORMAT,
    /** The public key given does not match the key hint recorded in the bundle. */
    KEY_MISMATCH,
    /** The certificate chain does not lead to a trusted root. */
    CERTIFICATE_CHAIN,
    /** The signing certificate is not valid at the verification time. */
    CERTIFICATE_VALIDITY,
    /** The signing certificate may not sign (no digitalSignature key usage, no codeSigning EKU). */
    CERTIFICATE_KEY_USAGE,
    /** The DSSE signature does not verify over the PAE of the payload. */
    SIGNATURE,
    /** The DSSE payload type is not in-toto JSON. */
    PAYLOAD_TYPE,
    /** The payload is not an in-toto v1 statement of the expected shape. */
    STATEMENT,
    /** The statement's predicate type is not the one expected. */
    PREDICATE_TYPE,
    /** The subject's root digest does not match the digests the statement lists. */
    ROOT_DIGEST,
    /**
     * The signature covers a single file but a directory was given, or a directory but a single
     * file was given.
     */
    MODEL_KIND,
    /** The model directory holds something that cannot be hashed safely (a link, a device). */
    UNSAFE_PATH,
    /** A signed file's content differs from what was signed. */
    DIGEST_MISMATCH,
    /** A signed file is missing from the model directory. */
    MISSING_FILE,
    /** A file is present in the model directory but was not signed (and is not ignored). */
    UNSIGNED_FILE,
  }

  /** One file-level finding: which file, what the signature expects, what was found. */
  public record FileProblem(Check kind, String name, String expected, String found) {}

  private final Check check;
  private final List<FileProblem> problems;

  public VerificationException(Check check, String message) {
    this(check, message, List.of(), null);
  }

  public VerificationException(Check check, String message, Throwable cause) {
    this(check, message, List.of(), cause);
  }

  public VerificationException(Check check, String message, List<FileProblem> problems) {
    this(check, message, problems, null);
  }

  private VerificationException(
      Check check, String message, List<FileProblem> problems, Throwable cause) {
    super(message, cause);
    this.check = check;
    this.problems = List.copyOf(problems);
  }

  public Check check() {
    return check;
  }

  /** File-level findings when the model did not match its signature; empty otherwise. */
  public List<FileProblem> problems() {
    return problems;
  }
}
