package dev.airlock.installer;

import dev.airlock.policy.Evaluation;
import dev.airlock.policy.EvaluationJson;
import dev.airlock.policy.InvalidPolicyException;
import dev.airlock.policy.ModelFacts;
import dev.airlock.policy.OrgProfile;
import dev.airlock.policy.Outcome;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyEngine;
import dev.airlock.policy.PolicyFacts;
import dev.airlock.policy.PolicyFile;
import dev.airlock.policy.PolicyProblem;
import dev.airlock.policy.RuleResult;
import dev.airlock.vault.metadata.HardwareProfile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.time.Clock;
import dev.airlock.vault.bundle.BundleRejectedException;
import dev.airlock.vault.signing.VerifyingKey;
import dev.airlock.vault.trust.TrustAnchor;
import dev.airlock.vault.trust.TrustRole;
import dev.airlock.vault.trust.TrustStore;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code airlock policy check}: the verdict of a policy on a model, rule by rule. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Judge a model directory or a bundle against a policy.",
      "",
      "Prints ALLOW, REVIEW or DENY with every rule's outcome, reason and evidence. Exit 0 ALLOW,"
          + " 10 REVIEW, 20 DENY, 1 bad input or a bundle the vault would refuse, 2 usage.",
      "",
      "A bare directory has no transfer signature: transfer-signature rules are reported as"
          + " NOT_APPLICABLE (no bundle) and enforced when the bundle is imported. A bundle is"
          + " verified as at import (--trust-key or --data-dir) and judged with its signed"
          + " manifest's publisher and origin.",
    })
final class PolicyCheckCommand implements Callable<Integer> {
  /** An organization profile is a handful of lines; anything larger is the wrong file. */
  static final long MAX_PROFILE_BYTES = 64 * 1024;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DIR|BUNDLE",
      description = "A model directory (its LICENSE, README.md, config.json, weights) or a bundle (.tar).")
  Path model;

  @Option(names = "--trust-key", paramLabel = "PEM",
      description = "For a bundle: a trusted transfer public key (PEM); repeat for several.")
  List<Path> trustKeys = new ArrayList<>();

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "For a bundle: use this data directory's trust store (transfer keys, and publishers for model.sig).")
  Path dataDir;

  @Option(names = "--policy", required = true, paramLabel = "NAME|FILE",
      description = "A shipped pack (${COMPLETION-CANDIDATES}) or a policy file.",
      completionCandidates = Packs.class)
  String policy;

  @Option(names = "--org-profile", paramLabel = "FILE",
      description = "The organization's profile (YAML): monthly_active_users, eu_domiciled, commercial_use, multimodal_use.")
  Path orgProfile;

  @Option(names = "--publisher", paramLabel = "NAME",
      description = "The model's publisher, as its bundle manifest would state it.")
  String publisher;

  @Option(names = "--origin-country", paramLabel = "CC",
      description = "The publisher's country (ISO 3166-1 alpha-2, e.g. FR), as its bundle manifest would state it.")
  String originCountry;

  @Option(names = "--json", description = "Print the verdict as JSON (see docs/policies.md).")
  boolean json;

  @Option(names = "--gpus", paramLabel = "N", defaultValue = "0",
      description = "GPUs the model is meant to run on, for hardware-fit rules (with --gpu-memory-gib).")
  int gpus;

  @Option(names = "--gpu-memory-gib", paramLabel = "GIB", defaultValue = "0",
      description = "Memory of each GPU in GiB. Without GPUs, hardware-fit rules are not applicable.")
  double gpuMemoryGib;

  static final class Packs implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return PolicyFile.PACKS.iterator();
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Policy p;
    try {
      p = PolicyFile.resolve(policy);
    } catch (InvalidPolicyException e) {
      for (PolicyProblem problem : e.problems()) err.println(e.source() + ":" + problem);
      err.println("airlock policy check: the policy is not valid; fix it (airlock policy validate "
          + e.source() + ") and check again.");
      return PolicyCommand.EXIT_BAD_INPUT;
    } catch (IOException e) {
      err.println("airlock policy check: --policy " + policy + ": " + PolicyValidateCommand.describe(e));
      return PolicyCommand.EXIT_BAD_INPUT;
    }
    OrgProfile org = OrgProfile.unknown();
    if (orgProfile != null) {
      try {
        if (Files.size(orgProfile) > MAX_PROFILE_BYTES) {
          err.println("airlock policy check: " + orgProfile + " is larger than " + MAX_PROFILE_BYTES
              + " bytes; an organization profile is a few lines of YAML.");
          return PolicyCommand.EXIT_BAD_INPUT;
        }
        org = OrgProfile.parse(Files.readString(orgProfile, StandardCharsets.UTF_8), orgProfile.toString());
      } catch (IOException e) {
        err.println("airlock policy check: cannot read --org-profile " + orgProfile + ": "
            + PolicyValidateCommand.describe(e));
        return PolicyCommand.EXIT_BAD_INPUT;
      } catch (IllegalArgumentException e) {
        err.println("airlock policy check: " + e.getMessage());
        return PolicyCommand.EXIT_BAD_INPUT;
      }
    }
    if (originCountry != null && !originCountry.matches("[A-Z]{2}")) {
      err.println("airlock policy check: --origin-country expects an ISO 3166-1 alpha-2 code in"
          + " capitals (e.g. FR, US), found '" + originCountry + "'.");
      return PolicyCommand.EXIT_BAD_INPUT;
    }
    if ((gpus > 0) != (gpuMemoryGib > 0) || gpus < 0 || gpuMemoryGib < 0) {
      err.println("airlock policy check: --gpus and --gpu-memory-gib go together, both above zero"
          + " (e.g. --gpus 2 --gpu-memory-gib 80); found --gpus " + gpus + " --gpu-memory-gib "
          + gpuMemoryGib + ".");
      return PolicyCommand.EXIT_BAD_INPUT;
    }
    if (Files.isRegularFile(model)) {
      return checkBundle(p, org, out, err);
    }
    if (!Files.isDirectory(model)) {
      err.println("airlock policy check: " + model + " does not exist; give a model directory or a bundle.");
      return PolicyCommand.EXIT_BAD_INPUT;
    }
    PolicyFacts.Origin origin = new PolicyFacts.Origin(Optional.ofNullable(publisher),
        Optional.ofNullable(originCountry),
        publisher == null && originCountry == null
            ? "no publisher or origin stated (a bare directory has no bundle manifest; use --publisher and --origin-country)"
            : "stated with --publisher/--origin-country");
    PolicyFacts facts;
    try {
      facts = ModelFacts.ofDirectory(model, origin, hardware());
    } catch (IOException | RuntimeException e) {
      err.println("airlock policy check: cannot read the model in " + model + ": " + e.getMessage());
      return PolicyCommand.EXIT_BAD_INPUT;
    }
    return report(p, facts, org, out);
  }

  private int checkBundle(Policy p, OrgProfile org, PrintWriter out, PrintWriter err) {
    if (publisher != null || originCountry != null) {
      err.println("airlock policy check: --publisher and --origin-country are for directories; a"
          + " bundle's signed manifest states its publisher and origin.");
      return PolicyCommand.EXIT_BAD_INPUT;
    }
    List<TrustAnchor> transfer = new ArrayList<>();
    List<TrustAnchor> publishers = new ArrayList<>();
    try {
      if (dataDir != null) {
        TrustStore store = TrustStore.open(dataDir, Clock.systemUTC());
        transfer.addAll(store.forRole(TrustRole.TRANSFER));
        publishers.addAll(store.forRole(TrustRole.PUBLISHER));
      }
      for (Path k : trustKeys) {
        transfer.add(TrustAnchor.adHoc(k.getFileName().toString(), TrustRole.TRANSFER,
            VerifyingKey.fromPem(k).publicKey()));
      }
    } catch (IOException | IllegalArgumentException e) {
      err.println("airlock policy check: cannot read the trusted keys: " + e.getMessage());
      return PolicyCommand.EXIT_BAD_INPUT;
    }
    if (transfer.isEmpty()) {
      err.println("airlock policy check: " + model + " is a bundle; its transfer signature must be"
          + " verified first: give --trust-key PEM or --data-dir DIR (with a transfer key in its"
          + " trust store, see 'airlock trust add --role transfer').");
      return PolicyCommand.EXIT_BAD_INPUT;
    }
    try (BundleForPolicy b = BundleForPolicy.read(model, transfer, publishers, hardware(),
        Clock.systemUTC().instant(), err)) {
      return report(p, b.facts, org, out);
    } catch (BundleRejectedException e) {
      err.println("airlock policy check: the bundle is REFUSED (" + BundleOutput.problem(e) + "): "
          + e.getMessage() + "; the vault would not import it, so it is not judged.");
      return PolicyCommand.EXIT_BAD_INPUT;
    } catch (IOException | RuntimeException e) {
      err.println("airlock policy check: cannot read the bundle " + model + ": " + e.getMessage());
      return PolicyCommand.EXIT_BAD_INPUT;
    }
  }

  HardwareProfile hardware() {
    return gpus == 0 ? HardwareProfile.none()
        : HardwareProfile.gpus(gpus, (long) (gpuMemoryGib * HardwareProfile.GIB));
  }

  private int report(Policy p, PolicyFacts facts, OrgProfile org, PrintWriter out) {
    Evaluation e = PolicyEngine.evaluate(p, facts, org);
    if (json) {
      out.print(EvaluationJson.write(e, facts));
    } else {
      printText(out, e);
    }
    out.flush();
    return e.verdict().exitCode();
  }

  private static void printText(PrintWriter out, Evaluation e) {
    out.println("Policy " + e.policy() + " on " + e.subject().name() + " ("
        + e.subject().kind().name().toLowerCase(Locale.ROOT) + "): " + e.verdict());
    if (!e.decidingRules().isEmpty()) out.println("Decided by: " + String.join(", ", e.decidingRules()));
    out.println();
    for (RuleResult r : e.rules()) {
      out.printf("  %-14s %s%n", r.outcome(), r.id());
      out.println("                 " + r.reason());
      if (r.outcome() != Outcome.PASS) {
        r.evidence().forEach(ev -> out.println("                 evidence: " + ev));
      }
      r.howToFix().ifPresent(h -> out.println("                 how to fix: " + h));
    }
    if (!e.obligations().isEmpty()) {
      out.println();
      out.println("Obligations:");
      e.obligations().forEach(o -> out.println("  - " + o.licenseId() + ": " + o.text()));
    }
    if (!e.notes().isEmpty()) {
      out.println();
      out.println("Notes:");
      e.notes().forEach(n -> out.println("  - " + n));
    }
  }
}
