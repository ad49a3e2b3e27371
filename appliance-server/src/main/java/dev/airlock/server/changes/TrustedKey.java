package dev.airlock.server.changes;

import dev.airlock.server.trust.TrustAdmin;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trusting a public key for bringing bundles in ({@code transfer}) or for model signatures
 * ({@code publisher}). The trust store is a file: confirming writes the audit record naming both
 * people first, then the file; if the file cannot be written the database rolls back and the
 * change stays pending.
 *
 * @param name the trust entry's name
 * @param role {@code transfer} or {@code publisher}
 * @param pem the public key, canonical PEM
 * @param fingerprint its SHA-256 fingerprint, hex
 * @param curve its curve
 */
public record TrustedKey(String name, String role, String pem, String fingerprint, String curve) implements Change {
  /** The proposal for a checked key. */
  public static TrustedKey of(TrustAdmin.Candidate c) {
    return new TrustedKey(c.name(), c.role().label(), c.pem(), c.fingerprint(), c.curve());
  }

  @Override
  public Kind kind() {
    return Kind.TRUSTED_KEY;
  }

  @Override
  public String summary() {
    return "Trust the key '" + name + "' (sha256:" + fingerprint + ", " + curve + ") for " + role
        + ("transfer".equals(role) ? ": bundles it signs may be imported" : ": model signatures it makes are accepted");
  }

  @Override
  public Map<String, Object> details() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("name", name);
    d.put("role", role);
    d.put("fingerprint", "sha256:" + fingerprint);
    d.put("curve", curve);
    return d;
  }

  @Override
  public String conflictKey() {
    return "trust.key:" + name;
  }

  @Override
  public void check(Targets targets) {
    candidate(targets);
  }

  @Override
  public Applied apply(Connection c, Targets targets, String proposedBy, String confirmedBy) {
    TrustAdmin.Candidate candidate = candidate(targets);
    return new Applied(new LinkedHashMap<>(candidate.details()), () -> targets.trust().trust(candidate));
  }

  private TrustAdmin.Candidate candidate(Targets targets) {
    TrustAdmin.Candidate c = targets.trust().check(name, role, pem);
    if (!c.fingerprint().equals(fingerprint)) {
      throw new IllegalStateException("the key proposed as '" + name + "' does not match its fingerprint; decline this"
          + " change and propose the key again");
    }
    return c;
  }

  @Override
  public String appliedRecordType() {
    return "trust.added";
  }
}
