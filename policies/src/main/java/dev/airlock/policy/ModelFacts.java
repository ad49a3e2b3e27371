package dev.airlock.policy;

import dev.airlock.license.EffectiveLicense;
import dev.airlock.license.FieldOfUseRestriction;
import dev.airlock.license.LicenseAudit;
import dev.airlock.license.LicenseCategory;
import dev.airlock.license.LicenseReport;
import dev.airlock.license.LineageEntry;
import dev.airlock.license.Obligation;
import dev.airlock.license.TerritorialRestriction;
import dev.airlock.license.Threshold;
import dev.airlock.policy.PolicyFacts.Ancestor;
import dev.airlock.policy.PolicyFacts.Origin;
import dev.airlock.policy.PolicyFacts.Provenance;
import dev.airlock.policy.PolicyFacts.RestrictionKind;
import dev.airlock.policy.PolicyFacts.Safety;
import dev.airlock.policy.PolicyFacts.Subject;
import dev.airlock.policy.PolicyFacts.SubjectKind;
import dev.airlock.vault.metadata.HardwareFit;
import dev.airlock.vault.metadata.HardwareProfile;
import dev.airlock.vault.metadata.ModelInspector;
import dev.airlock.vault.metadata.ModelMetadata;
import dev.airlock.vault.metadata.RiskFinding;
import dev.airlock.vault.metadata.RiskKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds {@link PolicyFacts} from what the other modules found: the license report
 * (license-audit), the model metadata (model-vault's inspector), and provenance and origin (the
 * bundle manifest and its signatures, or "no bundle" for a bare directory).
 */
public final class ModelFacts {
  /** Obligation kinds that amount to "no commercial use". */
  private static final Set<Obligation.Kind> NON_COMMERCIAL = Set.of(Obligation.Kind.NON_COMMERCIAL_USE);

  private ModelFacts() {}

  /**
   * Scans a bare model directory (license audit and inspection; weights are never read). A
   * directory has no transfer signature; its own origin is what the caller states (a bundle
   * manifest would), else unknown.
   */
  public static PolicyFacts ofDirectory(Path dir, Origin origin, HardwareProfile hardware)
      throws IOException {
    LicenseReport report = LicenseAudit.scan(dir);
    ModelMetadata metadata = ModelInspector.inspect(dir, hardware);
    boolean sbom = sbomIn(report);
    return of(new Subject(dir.toString(), SubjectKind.DIRECTORY), report, Optional.of(metadata),
        origin, Provenance.bareDirectory(sbom));
  }

  /** A model's license report and the facts built from it, for callers that keep both (a review). */
  public record Scan(LicenseReport report, PolicyFacts facts) {}

  /**
   * Scans the model directory of a verified bundle or of a version in the vault (license audit
   * and inspection; weights are never read) and judges it with the signed manifest's origin and
   * the provenance the vault or the bundle check established. An SBOM counts when the bundle
   * carried one ({@code provenance.sbomPresent()}) or the model directory holds one.
   */
  public static Scan ofVerifiedModel(Path modelDir, Subject subject, Origin origin,
      Provenance provenance, HardwareProfile hardware) throws IOException {
    LicenseReport report = LicenseAudit.scan(modelDir);
    ModelMetadata metadata = ModelInspector.inspect(modelDir, hardware);
    boolean sbom = provenance.sbomPresent() || sbomIn(report);
    PolicyFacts facts = of(subject, report, Optional.of(metadata), origin,
        new Provenance(provenance.transfer(), provenance.transferDetail(),
            provenance.publisherSignature(), sbom));
    return new Scan(report, facts);
  }

  /** The origin a bundle's signed manifest states (also what the vault recorded at import). */
  public static Origin manifestOrigin(String publisher, String originCountry) {
    return new Origin(Optional.of(publisher), Optional.of(originCountry),
        "bundle manifest (signed): publisher " + publisher + ", origin " + originCountry);
  }

  private static boolean sbomIn(LicenseReport report) {
    return report.findings().stream()
        .anyMatch(f -> f.evidence().stream().anyMatch(e -> isSbom(e.file())));
  }

  /**
   * Provenance as the vault recorded it at import (or as a bundle check found it): the transfer
   * signature verified (the vault refuses any other bundle), and what became of the publisher's
   * own model.sig.
   */
  public static Provenance provenance(dev.airlock.vault.catalog.Provenance p, boolean sbomPresent) {
    return new Provenance(PolicyFacts.TransferState.VERIFIED,
        "bundle " + p.bundleId() + " signed by transfer key '" + p.transferSignerName() + "' ("
            + p.transferSignerFingerprint() + ")",
        publisherSignature(p.publisherSignature()), sbomPresent);
  }

  /** The vault's view of a model.sig, in the terms publisher-signature rules use. */
  public static Optional<PolicyFacts.PublisherSignature> publisherSignature(
      dev.airlock.vault.catalog.PublisherSignature s) {
    return switch (s.status()) {
      case ABSENT -> Optional.empty();
      case VERIFIED -> Optional.of(new PolicyFacts.PublisherSignature(
          s.signerName().orElse("a trusted publisher"), true, true));
      // Not trusted, so not verified either: the vault has no key to verify it with.
      case SIGNER_NOT_TRUSTED -> Optional.of(new PolicyFacts.PublisherSignature(
          s.signerName().orElse("a signer the trust store does not know"), false, false));
    };
  }

  static boolean isSbom(String file) {
    String f = file.toLowerCase(Locale.ROOT);
    return f.endsWith(".spdx.json") || f.endsWith(".spdx3.json") || f.endsWith(".spdx.jsonld")
        || (f.contains("sbom") && f.endsWith(".json"));
  }

  /** Combines the reports about one model into the facts a policy judges. */
  public static PolicyFacts of(
      Subject subject,
      LicenseReport report,
      Optional<ModelMetadata> metadata,
      Origin origin,
      Provenance provenance) {
    PolicyFacts.Builder b = PolicyFacts.builder(subject.name(), subject.kind());
    for (EffectiveLicense l : report.effectiveLicenses()) {
      String evidence = l.basis().id() + ": " + (l.evidence().isEmpty() ? "(no file)"
          : l.evidence().stream().map(Object::toString).collect(Collectors.joining("; ")));
      if (l.boundThrough().equals(EffectiveLicense.THIS_MODEL)) {
        b.license(l.id(), l.name(), l.category(), evidence);
      } else {
        b.inheritedLicense(l.id(), l.name(), l.category(), l.boundThrough(), evidence);
      }
    }
    for (LineageEntry e : report.lineage()) {
      b.ancestor(new Ancestor(e.model(), e.relation().id(), e.family().isPresent(),
          e.family().map(f -> f.publisher()), e.family().map(f -> f.originCountry()),
          e.evidence().isEmpty() ? e.model() : e.evidence().get(0).toString()));
    }
    for (Threshold t : report.thresholds()) {
      if (t.metric() == Threshold.Metric.MONTHLY_ACTIVE_USERS) {
        b.threshold(t.licenseId(), t.limit(), cite(t.citation()));
      }
    }
    for (FieldOfUseRestriction r : report.fieldOfUseRestrictions()) {
      b.restriction(r.licenseId(), RestrictionKind.FIELD_OF_USE, r.description(), cite(r.citation()));
    }
    for (TerritorialRestriction r : report.territorialRestrictions()) {
      boolean euMultimodal = r.territory().equalsIgnoreCase("EU")
          && r.scope().toLowerCase(Locale.ROOT).contains("multimodal");
      b.restriction(r.licenseId(),
          euMultimodal ? RestrictionKind.EU_MULTIMODAL : RestrictionKind.FIELD_OF_USE,
          euMultimodal ? r.description() : r.territory() + ": " + r.description(),
          cite(r.citation()));
    }
    List<String> nonCommercialLicenses = report.effectiveLicenses().stream()
        .filter(l -> l.category() == LicenseCategory.NON_COMMERCIAL).map(EffectiveLicense::id).toList();
    for (Obligation o : report.obligations()) {
      b.obligation(o.licenseId(), o.description(), cite(o.citation()));
      // A non-commercial clause in a license not already categorised non-commercial.
      if (NON_COMMERCIAL.contains(o.kind()) && !nonCommercialLicenses.contains(o.licenseId())) {
        b.restriction(o.licenseId(), RestrictionKind.NON_COMMERCIAL, o.description(), cite(o.citation()));
      }
    }
    for (var f : report.findings()) {
      b.finding(f.code().id(), f.severity().id(), f.message(),
          f.evidence().stream().map(Object::toString).collect(Collectors.joining("; ")));
    }
    b.origin(origin).provenance(provenance);
    metadata.ifPresent(m -> {
      List<String> pickles = m.risks().stream().filter(r -> r.kind() == RiskKind.PICKLE_WEIGHTS)
          .map(RiskFinding::file).distinct().toList();
      List<String> code = m.risks().stream().filter(r -> r.kind() == RiskKind.REMOTE_CODE)
          .map(r -> r.file() + ": " + r.reason()).distinct().toList();
      b.safety(new Safety(pickles, code,
          m.quantization().map(q -> q.method().toLowerCase(Locale.ROOT))));
      HardwareFit fit = m.fit();
      switch (fit.verdict()) {
        case FITS -> b.hardware(true, fit.reason());
        case DOES_NOT_FIT -> b.hardware(false, fit.reason());
        case UNKNOWN -> { /* nothing known: the hardware rule says not applicable */ }
      }
    });
    return b.build();
  }

  private static String cite(dev.airlock.license.Citation c) {
    return c.licenseId() + ", " + c.clause() + ": \"" + c.quote() + "\"";
  }
}
