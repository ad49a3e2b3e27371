package dev.airlock.policy;

import dev.airlock.license.LicenseCategory;
import dev.airlock.policy.PolicyFacts.LicenseFact;
import dev.airlock.policy.PolicyFacts.Restriction;
import dev.airlock.policy.PolicyFacts.RestrictionKind;
import dev.airlock.policy.PolicyFacts.SubjectKind;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns facts about a model and an organization into a verdict with a rule-by-rule trace.
 *
 * <p>Every rule is evaluated; the verdict is the strictest outcome (one DENY denies). License
 * rules look at the model's own licenses and every ancestor's: a fine-tune, quantization or
 * distillation is bound by its base model's license. Evaluation is a pure function of its inputs:
 * no clock, no I/O, stable ordering.
 */
public final class PolicyEngine {
  /** EU member states (ISO 3166-1 alpha-2; Greece is GR here, EL in EU usage). */
  static final Set<String> EU_MEMBER_STATES =
      Set.of("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
          "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE");

  static final String BARE_DIRECTORY_NOTE =
      "Provenance: this is a bare directory, not a bundle. Transfer signatures exist only on"
          + " bundles, so the transfer-signature rule is reported as NOT_APPLICABLE here; it is"
          + " enforced when the bundle is imported, where a missing or invalid signature is refused.";

  private PolicyEngine() {}

  /** The verdict of {@code policy} on a model described by {@code facts}, for {@code org}. */
  public static Evaluation evaluate(Policy policy, PolicyFacts facts, OrgProfile org) {
    List<LicenseFact> licenses =
        facts.licenses().stream()
            .sorted(Comparator.comparing((LicenseFact l) -> l.inheritedFrom().orElse(""))
                .thenComparing(LicenseFact::id))
            .distinct()
            .toList();
    Context ctx = new Context(policy, facts, org, licenses);

    List<RuleResult> results = new ArrayList<>();
    Verdict verdict = Verdict.ALLOW;
    for (Rule rule : policy.rules()) {
      RuleResult r = evaluate(rule, ctx);
      results.add(r);
      verdict = verdict.and(r.outcome().contribution());
    }
    final Verdict finalVerdict = verdict;
    List<String> deciding =
        results.stream()
            .filter(r -> r.outcome() != Outcome.PASS && r.outcome() != Outcome.NOT_APPLICABLE)
            .filter(r -> r.outcome().contribution() == finalVerdict)
            .map(RuleResult::id)
            .toList();
    List<String> notes = new ArrayList<>();
    boolean checksTransfer =
        policy.rules().stream().anyMatch(r -> r.kind() instanceof RuleKind.TransferSignature);
    if (facts.subject().kind() == SubjectKind.DIRECTORY && checksTransfer) {
      notes.add(BARE_DIRECTORY_NOTE);
    }
    if (org.equals(OrgProfile.unknown())) {
      notes.add("No organization profile was given: rules that compare the model with the"
          + " organization (user limits, commercial use, EU multimodal use) ask for review when"
          + " the model has such terms. Give one with --org-profile.");
    }
    return new Evaluation(policy.name(), facts.subject(), verdict, deciding, results,
        facts.obligations(), notes, policy.approvals());
  }

  private record Context(
      Policy policy, PolicyFacts facts, OrgProfile org, List<LicenseFact> licenses) {}

  private static RuleResult evaluate(Rule rule, Context ctx) {
    Finding f =
        switch (rule.kind()) {
          case RuleKind.LicenseList l -> licenseList(l, rule, ctx);
          case RuleKind.UnlistedLicense u -> unlisted(rule, ctx);
          case RuleKind.MonthlyActiveUsers m -> monthlyActiveUsers(rule, ctx);
          case RuleKind.CommercialUse c -> commercialUse(rule, ctx);
          case RuleKind.EuMultimodal e -> euMultimodal(rule, ctx);
          case RuleKind.UseRestrictions u -> useRestrictions(rule, ctx);
          case RuleKind.OriginCountry o -> originCountry(o, rule, ctx);
          case RuleKind.EuOriginRequired e -> euOrigin(rule, ctx);
          case RuleKind.UnknownOrigin u -> unknownOrigin(rule, ctx);
          case RuleKind.TransferSignature t -> transferSignature(rule, ctx);
          case RuleKind.PublisherSignature p -> publisherSignature(p, rule, ctx);
          case RuleKind.SbomRequired s -> sbom(rule, ctx);
          case RuleKind.PickleWeights p -> pickle(rule, ctx);
          case RuleKind.CustomCode c -> customCode(rule, ctx);
          case RuleKind.Quantization q -> quantization(q, rule, ctx);
          case RuleKind.HardwareFit h -> hardware(rule, ctx);
          case RuleKind.UnresolvedLineage u -> unresolvedLineage(rule, ctx);
          case RuleKind.LicenseFinding l -> licenseFinding(l, rule, ctx);
          case RuleKind.Cel c -> cel(c, rule, ctx);
        };
    boolean objects = f.outcome() == Outcome.REVIEW || f.outcome() == Outcome.DENY;
    return new RuleResult(rule.id(), rule.kind().yamlName(), rule.description(), f.outcome(),
        f.reason(), f.evidence(), objects ? Optional.of(rule.howToFix()) : Optional.empty());
  }

  /** What one rule found, before it is dressed with the rule's id and advice. */
  private record Finding(Outcome outcome, String reason, List<String> evidence) {
    static Finding pass(String reason) {
      return new Finding(Outcome.PASS, reason, List.of());
    }

    static Finding pass(String reason, List<String> evidence) {
      return new Finding(Outcome.PASS, reason, evidence);
    }

    static Finding matched(Rule rule, String reason, List<String> evidence) {
      return new Finding(Outcome.of(rule.verdict()), reason, evidence);
    }
  }

  // ---- licenses (the model's and every ancestor's) ----

  private static Finding licenseList(RuleKind.LicenseList l, Rule rule, Context ctx) {
    if (ctx.licenses().isEmpty()) {
      return Finding.pass("No license was found for the model or its ancestors, so none is on this"
          + " rule's list.");
    }
    List<LicenseFact> hits =
        ctx.licenses().stream().filter(x -> l.matches(x.id(), x.category())).toList();
    if (hits.isEmpty()) {
      return Finding.pass("None of the licenses (" + describe(ctx.licenses()) + ") is on this"
          + " rule's list.");
    }
    return Finding.matched(rule,
        "The model is bound by " + hits.stream().map(h -> h.describe() + ", " + h.category().id())
            .collect(Collectors.joining("; ")) + ", which this rule lists as "
            + rule.verdict() + ".",
        evidence(hits));
  }

  private static Finding unlisted(Rule rule, Context ctx) {
    if (ctx.licenses().isEmpty()) {
      return Finding.matched(rule, "No license was found for the model or its ancestors.",
          List.of(ctx.facts().subject().name() + ": no license file, model card license or SBOM"
              + " license"));
    }
    List<RuleKind.LicenseList> lists =
        ctx.policy().rules().stream()
            .map(Rule::kind)
            .filter(k -> k instanceof RuleKind.LicenseList)
            .map(k -> (RuleKind.LicenseList) k)
            .toList();
    List<LicenseFact> unlisted =
        ctx.licenses().stream()
            .filter(x -> lists.stream().noneMatch(k -> k.matches(x.id(), x.category())))
            .toList();
    if (unlisted.isEmpty()) {
      return Finding.pass("Every license (" + describe(ctx.licenses()) + ") is named by a license"
          + " rule of this policy.");
    }
    return Finding.matched(rule,
        "No license rule of this policy names " + unlisted.stream()
            .map(h -> h.describe() + " (" + h.category().id() + ")")
            .collect(Collectors.joining(", ")) + ".",
        evidence(unlisted));
  }

  private static Finding monthlyActiveUsers(Rule rule, Context ctx) {
    var thresholds = ctx.facts().thresholds();
    if (thresholds.isEmpty()) {
      return Finding.pass("No license of the model or its ancestors limits monthly active users.");
    }
    List<String> evidence = thresholds.stream().map(t -> t.evidence()).toList();
    Optional<Long> mau = ctx.org().monthlyActiveUsers();
    String limits = thresholds.stream()
        .map(t -> t.licenseId() + " allows at most " + users(t.monthlyActiveUsers())
            + " monthly active users")
        .distinct().collect(Collectors.joining("; "));
    if (mau.isEmpty()) {
      return new Finding(Outcome.REVIEW, limits + ", and the organization profile does not state"
          + " its monthly active users.", evidence);
    }
    var exceeded = thresholds.stream().filter(t -> mau.get() > t.monthlyActiveUsers()).toList();
    if (exceeded.isEmpty()) {
      return Finding.pass(limits + "; the organization has " + users(mau.get()) + ".", evidence);
    }
    return Finding.matched(rule,
        "The organization has " + users(mau.get()) + " monthly active users; "
            + exceeded.stream().map(t -> t.licenseId() + " allows at most "
                + users(t.monthlyActiveUsers()) + " without a separate license from its licensor")
                .distinct().collect(Collectors.joining("; ")) + ".",
        exceeded.stream().map(t -> t.evidence()).toList());
  }

  private static Finding commercialUse(Rule rule, Context ctx) {
    List<String> nc = new ArrayList<>();
    List<String> evidence = new ArrayList<>();
    for (LicenseFact l : ctx.licenses()) {
      if (l.category() == LicenseCategory.NON_COMMERCIAL) {
        nc.add(l.describe());
        evidence.add(l.evidence());
      }
    }
    for (Restriction r : ctx.facts().restrictions()) {
      if (r.kind() == RestrictionKind.NON_COMMERCIAL) {
        nc.add(r.licenseId() + " (" + clause(r.text()) + ")");
        evidence.add(r.evidence());
      }
    }
    if (nc.isEmpty()) return Finding.pass("No license of the model or its ancestors forbids commercial use.");
    String what = String.join("; ", nc.stream().distinct().toList());
    return switch (ctx.org().commercialUse().map(c -> c ? 1 : 0).orElse(-1)) {
      case 1 -> Finding.matched(rule, what + " forbids commercial use, and the organization uses"
          + " models commercially.", evidence);
      case 0 -> Finding.pass(what + " forbids commercial use; the organization's use is not"
          + " commercial.", evidence);
      default -> new Finding(Outcome.REVIEW, what + " forbids commercial use, and the"
          + " organization profile does not say whether its use is commercial.", evidence);
    };
  }

  private static Finding euMultimodal(Rule rule, Context ctx) {
    var clauses = ctx.facts().restrictions().stream()
        .filter(r -> r.kind() == RestrictionKind.EU_MULTIMODAL).toList();
    if (clauses.isEmpty()) {
      return Finding.pass("No license of the model or its ancestors withholds rights from"
          + " EU-domiciled organizations.");
    }
    String what = clauses.stream().map(Restriction::licenseId).distinct()
        .collect(Collectors.joining(", "));
    List<String> evidence = clauses.stream().map(Restriction::evidence).toList();
    Optional<Boolean> eu = ctx.org().euDomiciled();
    Optional<Boolean> mm = ctx.org().multimodalUse();
    if (eu.equals(Optional.of(false)) || mm.equals(Optional.of(false))) {
      return Finding.pass(what + " withholds multimodal rights from EU-domiciled organizations;"
          + " the organization is " + (eu.equals(Optional.of(false)) ? "not EU-domiciled."
              : "not using multimodal capabilities."), evidence);
    }
    if (eu.isEmpty() || mm.isEmpty()) {
      return new Finding(Outcome.REVIEW, what + " withholds multimodal rights from EU-domiciled"
          + " organizations, and the organization profile does not say whether it is"
          + " EU-domiciled and uses multimodal capabilities.", evidence);
    }
    return Finding.matched(rule, what + " withholds multimodal rights from EU-domiciled"
        + " organizations; the organization is EU-domiciled and uses multimodal capabilities.",
        evidence);
  }

  private static Finding useRestrictions(Rule rule, Context ctx) {
    var r = ctx.facts().restrictions().stream()
        .filter(x -> x.kind() == RestrictionKind.FIELD_OF_USE).toList();
    if (r.isEmpty()) return Finding.pass("No license restricts the fields the model may be used in.");
    return Finding.matched(rule, "Use restrictions flow down to every user: " + r.stream()
        .map(x -> x.licenseId() + ": " + clause(x.text())).distinct().collect(Collectors.joining("; "))
        + ".", r.stream().map(Restriction::evidence).toList());
  }

  // ---- origin (the model's publisher and every ancestor's) ----

  /** Country of the model and of each ancestor, in lineage order; empty where unknown. */
  private static Map<String, Optional<String>> origins(Context ctx) {
    Map<String, Optional<String>> out = new LinkedHashMap<>();
    var o = ctx.facts().origin();
    out.put("the model" + o.publisher().map(p -> " (publisher " + p + ")").orElse(""), o.country());
    for (var a : ctx.facts().lineage()) {
      out.put("base model " + a.model() + a.publisher().map(p -> " (publisher " + p + ")").orElse(""),
          a.originCountry());
    }
    return out;
  }

  private static List<String> originEvidence(Context ctx) {
    List<String> e = new ArrayList<>();
    e.add(ctx.facts().origin().evidence());
    ctx.facts().lineage().forEach(a -> e.add(a.evidence()));
    return e;
  }

  private static Finding originCountry(RuleKind.OriginCountry o, Rule rule, Context ctx) {
    List<String> hits = new ArrayList<>();
    origins(ctx).forEach((who, c) -> c.filter(o.countries()::contains)
        .ifPresent(country -> hits.add(who + " comes from " + country)));
    if (hits.isEmpty()) {
      return Finding.pass("No known origin of the model or its ancestors is among "
          + new java.util.TreeSet<>(o.countries()) + ".", originEvidence(ctx));
    }
    return Finding.matched(rule, String.join("; ", hits) + ", which this rule lists as "
        + rule.verdict() + ".", originEvidence(ctx));
  }

  private static Finding euOrigin(Rule rule, Context ctx) {
    List<String> outside = new ArrayList<>();
    origins(ctx).forEach((who, c) -> {
      if (c.isEmpty()) outside.add(who + " has no known origin");
      else if (!EU_MEMBER_STATES.contains(c.get())) outside.add(who + " comes from " + c.get());
    });
    if (outside.isEmpty()) {
      return Finding.pass("The model and every ancestor come from EU member states.", originEvidence(ctx));
    }
    return Finding.matched(rule, "EU provenance is required, but " + String.join("; ", outside) + ".",
        originEvidence(ctx));
  }

  private static Finding unknownOrigin(Rule rule, Context ctx) {
    List<String> unknown = new ArrayList<>();
    var o = ctx.facts().origin();
    if (o.publisher().isEmpty()) unknown.add("the model's publisher is not stated");
    if (o.country().isEmpty()) unknown.add("the model's origin country is not stated");
    for (var a : ctx.facts().lineage()) {
      if (!a.resolved()) unknown.add("base model " + a.model() + " is not in the offline catalog");
      else if (a.originCountry().isEmpty()) unknown.add("base model " + a.model() + " has no known origin country");
    }
    if (unknown.isEmpty()) return Finding.pass("The origin of the model and every ancestor is known.", originEvidence(ctx));
    return Finding.matched(rule, "Origin unknown: " + String.join("; ", unknown) + ".", originEvidence(ctx));
  }

  // ---- provenance ----

  private static Finding transferSignature(Rule rule, Context ctx) {
    var p = ctx.facts().provenance();
    return switch (p.transfer()) {
      case NO_BUNDLE -> new Finding(Outcome.NOT_APPLICABLE, "Not applicable: no bundle. A bare"
          + " directory has no transfer signature; it is checked when the bundle is imported.",
          List.of(p.transferDetail()));
      case VERIFIED -> Finding.pass("The bundle's transfer signature verified.", List.of(p.transferDetail()));
      case MISSING -> Finding.matched(rule, "The bundle has no transfer signature.", List.of(p.transferDetail()));
      case INVALID -> Finding.matched(rule, "The bundle's transfer signature does not verify.", List.of(p.transferDetail()));
    };
  }

  private static Finding publisherSignature(RuleKind.PublisherSignature k, Rule rule, Context ctx) {
    var sig = ctx.facts().provenance().publisherSignature();
    if (sig.isEmpty()) return Finding.matched(rule, "The model carries no publisher signature (model.sig).", List.of());
    var s = sig.get();
    List<String> evidence = List.of("model.sig signed by " + s.signer());
    // Trust first: a signature by someone the trust store does not know cannot be verified.
    if (!s.trusted()) return Finding.matched(rule, "The publisher signature is by " + s.signer() + ", who is not a trusted publisher in the trust store.", evidence);
    if (!s.verified()) return Finding.matched(rule, "The publisher signature by " + s.signer() + " does not verify.", evidence);
    if (!k.trustedPublishers().isEmpty() && !k.trustedPublishers().contains(s.signer())) {
      return Finding.matched(rule, "The model is signed by " + s.signer() + ", who is not one of the"
          + " publishers this rule trusts " + k.trustedPublishers() + ".", evidence);
    }
    return Finding.pass("Signed by " + s.signer() + ", a trusted publisher; the signature verifies.", evidence);
  }

  private static Finding sbom(Rule rule, Context ctx) {
    return ctx.facts().provenance().sbomPresent()
        ? Finding.pass("An SBOM comes with the model.")
        : Finding.matched(rule, "No SBOM (SPDX) comes with the model.", List.of());
  }

  // ---- safety ----

  private static Finding pickle(Rule rule, Context ctx) {
    var files = ctx.facts().safety().pickleFiles();
    return files.isEmpty()
        ? Finding.pass("No weights in pickle format.")
        : Finding.matched(rule, "Weights in Python pickle format can run code when loaded: "
            + String.join(", ", files) + ".", files);
  }

  private static Finding customCode(Rule rule, Context ctx) {
    var code = ctx.facts().safety().customCode();
    return code.isEmpty()
        ? Finding.pass("The model runs without code of its own.")
        : Finding.matched(rule, "The model needs its own code (trust_remote_code): "
            + String.join(", ", code) + ".", code);
  }

  private static Finding quantization(RuleKind.Quantization q, Rule rule, Context ctx) {
    String actual = ctx.facts().safety().quantization().map(s -> s.toLowerCase(Locale.ROOT)).orElse("none");
    var allowed = new java.util.TreeSet<>(q.allowed());
    return allowed.contains(actual)
        ? Finding.pass("Quantization " + actual + " is allowed " + allowed + ".")
        : Finding.matched(rule, "Quantization " + actual + " is not among the allowed " + allowed + ".",
            List.of("quantization: " + actual));
  }

  private static Finding hardware(Rule rule, Context ctx) {
    var h = ctx.facts().hardware();
    if (h.isEmpty()) {
      return new Finding(Outcome.NOT_APPLICABLE, "Not applicable: no memory estimate or accelerator"
          + " inventory was available for this check.", List.of());
    }
    return h.get().fits()
        ? Finding.pass("The model fits: " + h.get().detail(), List.of(h.get().detail()))
        : Finding.matched(rule, "The model does not fit: " + h.get().detail(), List.of(h.get().detail()));
  }

  private static Finding unresolvedLineage(Rule rule, Context ctx) {
    var unknown = ctx.facts().lineage().stream().filter(a -> !a.resolved()).toList();
    if (unknown.isEmpty()) return Finding.pass("Every base model is known to the offline catalog.");
    return Finding.matched(rule, "Base model(s) not in the offline catalog, so their licenses are"
        + " unknown: " + unknown.stream().map(PolicyFacts.Ancestor::model).collect(Collectors.joining(", ")) + ".",
        unknown.stream().map(PolicyFacts.Ancestor::evidence).toList());
  }

  private static Finding licenseFinding(RuleKind.LicenseFinding k, Rule rule, Context ctx) {
    var hits = ctx.facts().findings().stream().filter(f -> k.codes().contains(f.code())).toList();
    if (hits.isEmpty()) {
      return Finding.pass("The license audit reported none of " + new java.util.TreeSet<>(k.codes()) + ".");
    }
    return Finding.matched(rule, "The license audit reports: " + hits.stream()
            .map(h -> h.message() + " [" + h.code() + "]").distinct().collect(Collectors.joining("; ")),
        hits.stream().map(PolicyFacts.AuditFinding::evidence).distinct().toList());
  }

  private static Finding cel(RuleKind.Cel c, Rule rule, Context ctx) {
    try {
      boolean holds = c.compiled().test(CelFacts.variables(ctx.facts(), ctx.org(), ctx.licenses()));
      return holds
          ? Finding.matched(rule, "The condition holds: " + c.expression().strip(), List.of())
          : Finding.pass("The condition does not hold: " + c.expression().strip());
    } catch (Exception e) {
      return new Finding(Outcome.REVIEW, "The condition could not be evaluated (" + e.getMessage()
          + "), so a person must decide.", List.of(c.expression().strip()));
    }
  }

  // ---- words ----

  private static String describe(List<LicenseFact> licenses) {
    return licenses.stream().map(LicenseFact::describe).collect(Collectors.joining(", "));
  }

  private static List<String> evidence(List<LicenseFact> licenses) {
    return licenses.stream().map(LicenseFact::evidence).distinct().toList();
  }

  /** A clause quoted inside a sentence: without its own final full stop. */
  private static String clause(String text) {
    String t = text.strip();
    return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
  }

  private static String users(long n) {
    return NumberFormat.getIntegerInstance(Locale.ROOT).format(n);
  }
}
