package dev.airlock.server.changes;

import dev.airlock.policy.OrgProfileStore;
import dev.airlock.policy.Policy;
import dev.airlock.server.policy.OrgProfiles;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Making a saved organization profile version the one every review judges with. It carries what
 * the proposer saw (the approved models it would judge more strictly); the version's SHA-256 pins
 * the exact text.
 *
 * @param version the saved profile version
 * @param sha256 its text's digest, hex
 * @param regressions approved or active models it would judge more strictly ({@code name@version})
 */
public record OrgProfileActivation(int version, String sha256, List<String> regressions) implements Change {
  public OrgProfileActivation {
    regressions = List.copyOf(regressions);
  }

  /** The activation of a saved version, with what it would judge more strictly today. */
  public static OrgProfileActivation of(OrgProfiles profiles, int version) {
    OrgProfileStore.Stored s = profiles.version(version);
    return new OrgProfileActivation(version, s.sha256(),
        profiles.reevaluation(s).regressions().stream().map(r -> r.model()).toList());
  }

  @Override
  public Kind kind() {
    return Kind.ORG_PROFILE_ACTIVATION;
  }

  @Override
  public String summary() {
    return "Activate organization profile version " + version + "; " + regressions.size()
        + " approved model(s) judged more strictly";
  }

  @Override
  public Map<String, Object> details() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("profileVersion", version);
    d.put("sha256", sha256);
    d.put("regressions", regressions);
    return d;
  }

  @Override
  public String conflictKey() {
    return "org_profile.activation:" + version;
  }

  @Override
  public void check(Targets targets) {
    requireSameText(targets.profiles().requireActivatable(version).sha256());
  }

  @Override
  public Applied apply(Connection c, Targets targets, String proposedBy, String confirmedBy) throws SQLException {
    Map<String, String> worse = targets.profiles().regressions(version);
    OrgProfiles.Activation a = targets.profiles().activateOn(c, version, proposedBy, confirmedBy);
    requireSameText(a.profile().sha256());
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("profileVersion", version);
    d.put("sha256", sha256);
    d.put("previousVersion", a.previous().orElse(null));
    // The active policy says what becomes of the models the new profile judges worse.
    Policy.OnRegression onRegression = targets.policies().active().map(p -> p.policy().policy().onRegression())
        .orElse(Policy.OnRegression.SUSPEND);
    return Suspending.after(c, targets, worse, confirmedBy, d, onRegression);
  }

  private void requireSameText(String stored) {
    if (!stored.equalsIgnoreCase(sha256)) {
      throw new IllegalStateException("version " + version + " of the organization profile is not the text that was"
          + " proposed (sha256 " + stored + ", proposed " + sha256 + "); decline this change");
    }
  }

  @Override
  public String appliedRecordType() {
    return "org_profile.activated";
  }
}
