package dev.airlock.policy;

import dev.airlock.license.LicenseCategory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a policy judges about one model: its licenses (and every ancestor's), the limits and
 * restrictions they carry, where the model comes from, how it travelled, and whether it is safe
 * to load. Collected by license-audit, the vault and the model inspector.
 *
 * <p>Each fact carries its evidence in words (file, position, excerpt) so that a verdict can show
 * it.
 */
public record PolicyFacts(
    Subject subject,
    List<LicenseFact> licenses,
    List<Ancestor> lineage,
    List<Threshold> thresholds,
    List<Restriction> restrictions,
    List<Obligation> obligations,
    List<AuditFinding> findings,
    Origin origin,
    Provenance provenance,
    Safety safety,
    Optional<Hardware> hardware) {

  public PolicyFacts {
    Objects.requireNonNull(subject, "subject");
    licenses = List.copyOf(licenses);
    lineage = List.copyOf(lineage);
    thresholds = List.copyOf(thresholds);
    restrictions = List.copyOf(restrictions);
    obligations = List.copyOf(obligations);
    findings = List.copyOf(findings);
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(provenance, "provenance");
    Objects.requireNonNull(safety, "safety");
    Objects.requireNonNull(hardware, "hardware");
  }

  /** What was checked: a bare model directory, or a bundle (which can carry a transfer signature). */
  public record Subject(String name, SubjectKind kind) {}

  public enum SubjectKind {
    DIRECTORY,
    BUNDLE
  }

  /**
   * A license that binds the model.
   *
   * @param inheritedFrom the ancestor model it comes from; empty for the model's own license
   */
  public record LicenseFact(
      String id,
      String name,
      LicenseCategory category,
      Optional<String> inheritedFrom,
      String evidence) {
    /** "Llama-3.1 (via meta-llama/Llama-3.1-8B)", for reasons. */
    public String describe() {
      return id + inheritedFrom.map(a -> " (inherited from " + a + ")").orElse("");
    }
  }

  /**
   * A base model in the lineage.
   *
   * @param relation how the model derives from it: finetune, quantized, distillation, merge, adapter
   * @param resolved whether the offline catalog of model families knows it
   */
  public record Ancestor(
      String model,
      String relation,
      boolean resolved,
      Optional<String> publisher,
      Optional<String> originCountry,
      String evidence) {}

  /** A monthly-active-user limit in a license (Llama: 700 million; Qwen: 100 million). */
  public record Threshold(String licenseId, long monthlyActiveUsers, String evidence) {}

  public record Restriction(String licenseId, RestrictionKind kind, String text, String evidence) {}

  public enum RestrictionKind {
    /** Uses the license forbids, flowed down to every user (e.g. military use). */
    FIELD_OF_USE,
    /** Multimodal rights withheld from organizations domiciled in the EU. */
    EU_MULTIMODAL,
    /** No commercial use. */
    NON_COMMERCIAL
  }

  /** Something a user of the model must do (attribution, NOTICE, name prefix, flow-down). */
  public record Obligation(String licenseId, String text, String evidence) {}

  /**
   * Something the license audit noticed (a conflict, a text only similar to a known one, an
   * unknown base model), by its stable code.
   *
   * @param code the license-audit finding code, e.g. {@code license-conflict}
   * @param severity info, warning or error
   */
  public record AuditFinding(String code, String severity, String message, String evidence) {}

  /** Who published the model and from which country (ISO 3166-1 alpha-2). */
  public record Origin(Optional<String> publisher, Optional<String> country, String evidence) {
    public static Origin unknown() {
      return new Origin(Optional.empty(), Optional.empty(), "no publisher or origin stated");
    }
  }

  public enum TransferState {
    /** A bare directory: transfer signatures exist only on bundles. */
    NO_BUNDLE,
    MISSING,
    INVALID,
    VERIFIED
  }

  /** A publisher's own model signature (OpenSSF Model Signing). */
  public record PublisherSignature(String signer, boolean verified, boolean trusted) {}

  public record Provenance(
      TransferState transfer,
      String transferDetail,
      Optional<PublisherSignature> publisherSignature,
      boolean sbomPresent) {
    /** What a bare directory can say: no transfer signature yet, no publisher signature checked. */
    public static Provenance bareDirectory(boolean sbomPresent) {
      return new Provenance(
          TransferState.NO_BUNDLE,
          "a bare directory has no transfer signature",
          Optional.empty(),
          sbomPresent);
    }
  }

  /**
   * @param pickleFiles weight files in Python pickle format (.bin, .pt, .pth, .ckpt, .pkl)
   * @param customCode files or settings that make the model need its own code (auto_map,
   *     trust_remote_code, *.py)
   * @param quantization e.g. fp8, q4_k_m, awq; empty for full precision
   */
  public record Safety(
      List<String> pickleFiles, List<String> customCode, Optional<String> quantization) {
    public Safety {
      pickleFiles = List.copyOf(pickleFiles);
      customCode = List.copyOf(customCode);
    }

    public static Safety clean() {
      return new Safety(List.of(), List.of(), Optional.empty());
    }
  }

  /** Whether the model fits the appliance's accelerators, with the estimate in words. */
  public record Hardware(boolean fits, String detail) {}

  public static Builder builder(String name, SubjectKind kind) {
    return new Builder(new Subject(name, kind));
  }

  /** Assembles facts one by one; used by adapters and tests. */
  public static final class Builder {
    private final Subject subject;
    private final List<LicenseFact> licenses = new ArrayList<>();
    private final List<Ancestor> lineage = new ArrayList<>();
    private final List<Threshold> thresholds = new ArrayList<>();
    private final List<Restriction> restrictions = new ArrayList<>();
    private final List<Obligation> obligations = new ArrayList<>();
    private final List<AuditFinding> findings = new ArrayList<>();
    private Origin origin = Origin.unknown();
    private Provenance provenance;
    private Safety safety = Safety.clean();
    private Optional<Hardware> hardware = Optional.empty();

    private Builder(Subject subject) {
      this.subject = subject;
      this.provenance =
          subject.kind() == SubjectKind.DIRECTORY
              ? Provenance.bareDirectory(false)
              : new Provenance(
                  TransferState.MISSING, "the bundle has no transfer signature", Optional.empty(), false);
    }

    public Builder license(String id, String name, LicenseCategory category, String evidence) {
      licenses.add(new LicenseFact(id, name, category, Optional.empty(), evidence));
      return this;
    }

    public Builder inheritedLicense(
        String id, String name, LicenseCategory category, String ancestor, String evidence) {
      licenses.add(new LicenseFact(id, name, category, Optional.of(ancestor), evidence));
      return this;
    }

    public Builder ancestor(Ancestor ancestor) {
      lineage.add(ancestor);
      return this;
    }

    public Builder threshold(String licenseId, long monthlyActiveUsers, String evidence) {
      thresholds.add(new Threshold(licenseId, monthlyActiveUsers, evidence));
      return this;
    }

    public Builder restriction(String licenseId, RestrictionKind kind, String text, String evidence) {
      restrictions.add(new Restriction(licenseId, kind, text, evidence));
      return this;
    }

    public Builder obligation(String licenseId, String text, String evidence) {
      obligations.add(new Obligation(licenseId, text, evidence));
      return this;
    }

    public Builder finding(String code, String severity, String message, String evidence) {
      findings.add(new AuditFinding(code, severity, message, evidence));
      return this;
    }

    public Builder origin(Origin origin) {
      this.origin = origin;
      return this;
    }

    public Builder origin(String publisher, String country, String evidence) {
      origin = new Origin(Optional.ofNullable(publisher), Optional.ofNullable(country), evidence);
      return this;
    }

    public Builder provenance(Provenance provenance) {
      this.provenance = provenance;
      return this;
    }

    public Builder safety(Safety safety) {
      this.safety = safety;
      return this;
    }

    public Builder hardware(boolean fits, String detail) {
      this.hardware = Optional.of(new Hardware(fits, detail));
      return this;
    }

    public PolicyFacts build() {
      return new PolicyFacts(
          subject, licenses, lineage, thresholds, restrictions, obligations, findings, origin,
          provenance, safety, hardware);
    }
  }
}
