package dev.airlock.license;

import java.util.Locale;

/** What a finding is about. Stable: policies and the console match on these codes. */
public enum FindingCode {
  /** A license was declared by the model card, an SBOM, GGUF metadata or the bundle manifest. */
  LICENSE_DECLARED,
  /** A license file's text matched a known license. */
  LICENSE_TEXT_IDENTIFIED,
  /** A license file's text is close to a known license but not the same: needs review. */
  LICENSE_TEXT_SIMILAR,
  /** A license file's text matches nothing known. */
  LICENSE_TEXT_UNKNOWN,
  /** A file named like a license file could not be read as text (binary, bad encoding). */
  LICENSE_FILE_NOT_TEXT,
  /** A license file is larger than the scanner reads; only its beginning was examined. */
  LICENSE_FILE_TRUNCATED,
  /** A declared license and a detected one (or two declarations) disagree. */
  LICENSE_CONFLICT,
  /** No license was declared and no license text was found. */
  NO_LICENSE,
  /** A license expression or id does not parse. */
  LICENSE_EXPRESSION_INVALID,
  /** A license id parses but is neither on the SPDX list nor in Airlock's catalog. */
  LICENSE_ID_UNKNOWN,
  /** The license is known by name but Airlock does not ship its text, so no text was compared. */
  LICENSE_TEXT_NOT_SHIPPED,
  /**
   * The license is identified exactly, but Airlock has not recorded its terms yet (no obligations,
   * thresholds or restrictions are listed), so a person must read it.
   */
  LICENSE_TERMS_NOT_REVIEWED,
  /** An SPDX document could not be read at all. */
  SBOM_MALFORMED,
  /** An SPDX document was read but lacks fields the specification requires. */
  SBOM_INCOMPLETE,
  /** A base model was named and resolved to a known model family. */
  BASE_MODEL_RESOLVED,
  /** A base model was named but is not in Airlock's catalog of model families. */
  BASE_MODEL_UNKNOWN,
  /** A license binds this model because one of its ancestors carries it. */
  LICENSE_INHERITED,
  /** Model metadata (card front matter, GGUF header) could not be read. */
  METADATA_UNREADABLE,
  /** The facts were read from a bundle whose signature and digests this scan did not check. */
  BUNDLE_NOT_VERIFIED;

  /** The spelling used in JSON: lower case with dashes, e.g. {@code license-text-similar}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
