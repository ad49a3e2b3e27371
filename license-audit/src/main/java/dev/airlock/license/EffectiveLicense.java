package dev.airlock.license;

import java.util.List;
import java.util.Objects;

/**
 * A license that binds the scanned model.
 *
 * @param id SPDX id ({@code Apache-2.0}) or Airlock catalog id ({@code LicenseRef-...})
 * @param name the license's full name
 * @param category how the license treats users; {@link LicenseCategory#UNKNOWN} when unidentified
 * @param basis why it binds: declared, detected in a file, or inherited from an ancestor
 * @param boundThrough the model it comes from: the scanned model itself, or the ancestor's id
 * @param evidence where it was declared or found
 */
public record EffectiveLicense(
    String id,
    String name,
    LicenseCategory category,
    Basis basis,
    String boundThrough,
    List<Evidence> evidence) {

  /** The scanned model, as named in {@link #boundThrough()}. */
  public static final String THIS_MODEL = "this model";

  /** Id used when a model's license cannot be determined (as in SPDX: no assertion can be made). */
  public static final String NOASSERTION = "NOASSERTION";

  public enum Basis {
    /** Named by the model card, an SBOM, GGUF metadata or the bundle manifest. */
    DECLARED,
    /** Identified from a license file's text. */
    DETECTED,
    /** Carried over from a base model (fine-tune, adapter, quantization, distillation, merge). */
    INHERITED;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public EffectiveLicense {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(basis, "basis");
    Objects.requireNonNull(boundThrough, "boundThrough");
    evidence = List.copyOf(evidence);
  }
}
