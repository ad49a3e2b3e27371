package dev.airlock.server.changes;

import dev.airlock.policy.PolicyChange;
import dev.airlock.policy.Rule;
import dev.airlock.server.policy.PolicyAdmin;
import dev.airlock.server.policy.PolicyDiff;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Making a saved policy version the one that judges models. It carries what the proposer saw
 * (the rules it adds, removes and changes against the active version, and the approved models it
 * would judge more strictly), so the DPO confirms knowing what changes; the version's SHA-256 pins
 * the exact text.
 *
 * @param name the policy
 * @param version its saved version
 * @param sha256 the version's text digest, hex
 * @param replaces the version active when it was proposed ({@code name@version}), empty if none
 * @param rulesAdded ids of rules it adds
 * @param rulesRemoved ids of rules it removes
 * @param rulesChanged ids of rules it changes
 * @param regressions approved or active models it would judge more strictly ({@code name@version})
 */
public record PolicyActivation(String name, int version, String sha256, String replaces,
                               List<String> rulesAdded, List<String> rulesRemoved, List<String> rulesChanged,
                               List<String> regressions) implements Change {
  public PolicyActivation {
    replaces = replaces == null ? "" : replaces;
    rulesAdded = List.copyOf(rulesAdded);
    rulesRemoved = List.copyOf(rulesRemoved);
    rulesChanged = List.copyOf(rulesChanged);
    regressions = List.copyOf(regressions);
  }

  /** The activation of the previewed version, with what the preview says it changes. */
  public static PolicyActivation of(PolicyAdmin.Preview p) {
    Optional<PolicyDiff> diff = p.diff();
    return new PolicyActivation(p.policy().name(), p.policy().version(), p.policy().sha256().hex(),
        p.active().map(a -> a.name() + "@" + a.version()).orElse(""),
        diff.map(d -> d.added().stream().map(Rule::id).toList()).orElse(List.of()),
        diff.map(d -> d.removed().stream().map(Rule::id).toList()).orElse(List.of()),
        diff.map(d -> d.changed().stream().map(PolicyDiff.Changed::id).toList()).orElse(List.of()),
        p.reevaluation().regressions().stream().map(PolicyChange.Regression::model).toList());
  }

  @Override
  public Kind kind() {
    return Kind.POLICY_ACTIVATION;
  }

  @Override
  public String summary() {
    return "Activate policy " + name + " version " + version + (replaces.isEmpty() ? "" : " (replacing " + replaces + ")")
        + ": " + rulesAdded.size() + " rule(s) added, " + rulesRemoved.size() + " removed, " + rulesChanged.size()
        + " changed; " + regressions.size() + " approved model(s) judged more strictly";
  }

  @Override
  public Map<String, Object> details() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("policy", name);
    d.put("policyVersion", version);
    d.put("sha256", sha256);
    if (!replaces.isEmpty()) d.put("replaces", replaces);
    d.put("rulesAdded", rulesAdded);
    d.put("rulesRemoved", rulesRemoved);
    d.put("rulesChanged", rulesChanged);
    d.put("regressions", regressions);
    return d;
  }

  @Override
  public String conflictKey() {
    return "policy.activation:" + name + "@" + version;
  }

  @Override
  public void check(Targets targets) {
    requireSameText(targets.policies().requireActivatable(name, version).sha256().hex());
  }

  @Override
  public Applied apply(Connection c, Targets targets, String proposedBy, String confirmedBy) throws SQLException {
    // Judged against the policy active until now, before this transaction changes it.
    Map<String, String> worse = targets.policies().regressions(name, version);
    PolicyAdmin.Activated a = targets.policies().activateOn(c, name, version,
        "user:" + proposedBy + ", confirmed by user:" + confirmedBy);
    requireSameText(a.policy().sha256().hex());
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("policy", name);
    d.put("policyVersion", version);
    d.put("sha256", sha256);
    a.previous().ifPresent(b -> {
      d.put("previousPolicy", b.name());
      d.put("previousVersion", b.version());
    });
    return Suspending.after(c, targets, worse, confirmedBy, d, a.policy().policy().onRegression());
  }

  private void requireSameText(String stored) {
    if (!stored.equalsIgnoreCase(sha256)) {
      throw new IllegalStateException("version " + version + " of policy '" + name + "' is not the text that was"
          + " proposed (sha256 " + stored + ", proposed " + sha256 + "); decline this change");
    }
  }

  @Override
  public String appliedRecordType() {
    return "policy.activated";
  }
}
