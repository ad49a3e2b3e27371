package dev.airlock.server.review;

import dev.airlock.server.vocabulary.Refused;
import java.util.Locale;

/**
 * A review or a decision the rules do not allow. {@link #code()} is stable for programs, and each
 * code carries its status; the message says what to do instead.
 */
public final class ApprovalRefused extends RuntimeException implements Refused {
  /** Why it was refused. */
  public enum Code {
    /** No model version with that id in the vault. */
    UNKNOWN_VERSION,
    /** The version has never been reviewed, so there is nothing to decide. */
    NOT_REVIEWED,
    /** The version is not in a state a review may start from (only IMPORTED, UNDER_REVIEW, DENIED). */
    NOT_REVIEWABLE,
    /** The version is not UNDER_REVIEW, so it cannot be decided now. */
    NOT_UNDER_REVIEW,
    /** The policy denied the model: no approval can override it. */
    DENIED_BY_POLICY,
    /** The justification is missing or too short to mean anything. */
    JUSTIFICATION_REQUIRED,
    /** The person who imported the version cannot also approve it. */
    IMPORTER_CANNOT_APPROVE,
    /** This DPO already approved the current review. */
    ALREADY_APPROVED,
    /** No DPO username was given. */
    DPO_REQUIRED;

    /** The code as programs see it, e.g. {@code importer_cannot_approve}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** 404 an unknown version, 400 a missing justification or name, 409 what the state forbids. */
    public int status() {
      return switch (this) {
        case UNKNOWN_VERSION -> 404;
        case JUSTIFICATION_REQUIRED, DPO_REQUIRED -> 400;
        default -> 409;
      };
    }
  }

  private final Code code;

  public ApprovalRefused(Code code, String message) {
    super(message);
    this.code = code;
  }

  /** Why it was refused, as the review's rules name it. */
  public Code reason() {
    return code;
  }

  @Override
  public String code() {
    return code.id();
  }

  @Override
  public int status() {
    return code.status();
  }
}
