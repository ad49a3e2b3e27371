package dev.airlock.policy;

import dev.airlock.license.LicenseCategory;
import java.util.List;
import java.util.Set;

/**
 * What a rule looks at, with its parameters. One record per {@code kind} in the policy YAML; the
 * evaluator matches them with {@code switch}, so a new kind cannot be forgotten there.
 *
 * <p>Every license-related kind looks at the model's own licenses and at every ancestor's (a
 * fine-tune is bound by its base model's license).
 */
public sealed interface RuleKind {

  /** The {@code kind} value in YAML. */
  String yamlName();

  /** Licenses named by id or by category; the rule's verdict applies when any of them is present. */
  record LicenseList(Set<String> ids, Set<LicenseCategory> categories) implements RuleKind {
    public LicenseList {
      ids = Set.copyOf(ids);
      categories = Set.copyOf(categories);
    }

    boolean matches(String id, LicenseCategory category) {
      return categories.contains(category) || ids.stream().anyMatch(i -> i.equalsIgnoreCase(id));
    }

    @Override
    public String yamlName() {
      return "license";
    }
  }

  /** Licenses that no {@code license} rule of the policy names: the policy's default. */
  record UnlistedLicense() implements RuleKind {
    @Override
    public String yamlName() {
      return "unlisted-license";
    }
  }

  /** A license's monthly-active-user limit, compared with the organization's. */
  record MonthlyActiveUsers() implements RuleKind {
    @Override
    public String yamlName() {
      return "monthly-active-users";
    }
  }

  /** A non-commercial license, for an organization that uses models commercially. */
  record CommercialUse() implements RuleKind {
    @Override
    public String yamlName() {
      return "commercial-use";
    }
  }

  /** A territorial clause withholding multimodal rights from EU-domiciled organizations. */
  record EuMultimodal() implements RuleKind {
    @Override
    public String yamlName() {
      return "eu-multimodal";
    }
  }

  /** Field-of-use restrictions that flow down to every user (e.g. no military use). */
  record UseRestrictions() implements RuleKind {
    @Override
    public String yamlName() {
      return "use-restrictions";
    }
  }

  /** Publisher countries (ISO 3166-1 alpha-2) of the model or any ancestor. */
  record OriginCountry(Set<String> countries) implements RuleKind {
    public OriginCountry {
      countries = Set.copyOf(countries);
    }

    @Override
    public String yamlName() {
      return "origin-country";
    }
  }

  /** The model and every ancestor must come from a publisher in the European Union. */
  record EuOriginRequired() implements RuleKind {
    @Override
    public String yamlName() {
      return "eu-origin-required";
    }
  }

  /** The publisher or origin country of the model or an ancestor is not known. */
  record UnknownOrigin() implements RuleKind {
    @Override
    public String yamlName() {
      return "unknown-origin";
    }
  }

  /** The bundle's transfer signature (the organization's own key) must verify. */
  record TransferSignature() implements RuleKind {
    @Override
    public String yamlName() {
      return "transfer-signature";
    }
  }

  /** A publisher's own model signature, verified, by a trusted publisher (any trusted one if empty). */
  record PublisherSignature(List<String> trustedPublishers) implements RuleKind {
    public PublisherSignature {
      trustedPublishers = List.copyOf(trustedPublishers);
    }

    @Override
    public String yamlName() {
      return "publisher-signature";
    }
  }

  /** An SBOM (SPDX) must come with the model. */
  record SbomRequired() implements RuleKind {
    @Override
    public String yamlName() {
      return "sbom-required";
    }
  }

  /** Weights in Python pickle format, which can run code when loaded. */
  record PickleWeights() implements RuleKind {
    @Override
    public String yamlName() {
      return "pickle-weights";
    }
  }

  /** The model needs its own Python code (auto_map, trust_remote_code). */
  record CustomCode() implements RuleKind {
    @Override
    public String yamlName() {
      return "custom-code";
    }
  }

  /** The weights' quantization must be one of these ({@code none} for full precision). */
  record Quantization(Set<String> allowed) implements RuleKind {
    public Quantization {
      allowed = Set.copyOf(allowed);
    }

    @Override
    public String yamlName() {
      return "quantization";
    }
  }

  /** The model must fit the appliance's accelerator memory. */
  record HardwareFit() implements RuleKind {
    @Override
    public String yamlName() {
      return "hardware-fit";
    }
  }

  /** Findings of the license audit with these codes (e.g. {@code license-conflict}). */
  record LicenseFinding(Set<String> codes) implements RuleKind {
    public LicenseFinding {
      codes = Set.copyOf(codes);
    }

    @Override
    public String yamlName() {
      return "license-finding";
    }
  }

  /** A base model named in the lineage that the offline catalog does not know. */
  record UnresolvedLineage() implements RuleKind {
    @Override
    public String yamlName() {
      return "unresolved-lineage";
    }
  }

  /** A CEL expression over the facts; the rule objects when it is true. */
  record Cel(String expression, CelCondition compiled) implements RuleKind {
    @Override
    public String yamlName() {
      return "cel";
    }

    /** Two CEL rules are the same rule when their expressions are: the compiled form follows. */
    @Override
    public boolean equals(Object o) {
      return o instanceof Cel c && c.expression.equals(expression);
    }

    @Override
    public int hashCode() {
      return expression.hashCode();
    }
  }
}
