package dev.airlock.server.trust;

import dev.airlock.audit.AuditLog;
import dev.airlock.server.vocabulary.AdminRecords;
import dev.airlock.server.review.Suspensions;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.ModelVersion;
import dev.airlock.vault.signing.VerifyingKey;
import dev.airlock.vault.trust.KeyFingerprints;
import dev.airlock.vault.trust.TrustAnchor;
import dev.airlock.vault.trust.TrustRole;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Adds and revokes the keys the vault trusts. The trust store is a file, not a transaction, so
 * every change is checked completely first, then recorded in the audit log ({@code trust.added},
 * {@code trust.revoked}), then made: a change the audit log cannot record is never made. Adding a
 * key takes a second person: an ADMIN proposes a {@link #check checked} key, and when a DPO
 * confirms it ({@code changes.TrustedKey}) the record naming both is written, then {@link #trust}
 * writes it.
 */
@Singleton
public class TrustAdmin {
  /** A pasted PEM is a few hundred bytes; anything far larger is not a public key. */
  static final int MAX_PEM_CHARS = 16 * 1024;

  private final Vault vault;
  private final AuditLog audit;
  private final Suspensions suspensions;

  public TrustAdmin(Vault vault, AuditLog audit, Suspensions suspensions) {
    this.vault = vault;
    this.audit = audit;
    this.suspensions = suspensions;
  }

  /**
   * A revocation done: the entry as revoked, how many model versions were flagged, and how many
   * approved or active ones were suspended (no longer served).
   */
  public record Revoked(TrustAnchor anchor, int modelsFlagged, int modelsSuspended) {}

  public synchronized List<TrustAnchor> list() {
    return vault.trust().all();
  }

  /** A public key checked and ready to trust: what a proposal carries and its confirmation writes. */
  public record Candidate(String name, TrustRole role, String pem, String fingerprint, String curve) {
    /**
     * The values an audit record shows: the fields the CLI's trust records carry
     * ({@code TrustAnchor.auditDetails}: name, role, fingerprint, ca; a key through the server is
     * never a CA), and the key's curve. The PEM is public but long: the fingerprint names it.
     */
    public Map<String, Object> details() {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("name", name);
      details.put("role", role.label());
      details.put("fingerprint", "sha256:" + fingerprint);
      details.put("ca", false);
      details.put("curve", curve);
      return details;
    }
  }

  /**
   * Checks a pasted EC public key (PEM) for {@code role} ({@code transfer} or {@code publisher}):
   * a name not yet used, a real key, not already trusted for that role. Changes nothing.
   */
  public synchronized Candidate check(String name, String role, String pem) {
    String n = name == null ? "" : name.strip();
    if (n.isEmpty() || n.startsWith("sha256:") || n.length() > 200) {
      throw new IllegalArgumentException("give the key a name (up to 200 characters, not starting with 'sha256:'),"
          + " e.g. the team or publisher it belongs to");
    }
    TrustRole r = role(role);
    if (pem == null || pem.isBlank()) {
      throw new IllegalArgumentException("paste the public key as PEM, starting with '-----BEGIN PUBLIC KEY-----'");
    }
    if (pem.length() > MAX_PEM_CHARS) {
      throw new IllegalArgumentException("the pasted key is " + pem.length() + " characters; a PEM public key is"
          + " a few hundred. Paste only the public.pem");
    }
    VerifyingKey key = VerifyingKey.fromPem(pem.strip(), "the pasted key");
    String fingerprint = KeyFingerprints.fingerprint(key.publicKey()).hex();
    for (TrustAnchor a : vault.trust().all()) {
      if (a.name().equals(n)) {
        throw new IllegalArgumentException("the trust store already has an entry named '" + n + "'; choose another name");
      }
      if (a.fingerprint().hex().equals(fingerprint) && a.role() == r) {
        throw new IllegalArgumentException("this key is already trusted for " + r.label() + " as '" + a.name() + "'"
            + (a.isRevoked() ? ", and was revoked: a revoked key cannot be trusted again" : ""));
      }
    }
    return new Candidate(n, r, VerifyingKey.canonicalPem(key.publicKey()), fingerprint, key.curve().toString());
  }

  /**
   * Writes a checked key into the trust store, checking it again first (another may have been
   * added meanwhile). The caller has already written the audit record that names who proposed and
   * who confirmed it.
   */
  public synchronized TrustAnchor trust(Candidate candidate) {
    Candidate c = check(candidate.name(), candidate.role().name(), candidate.pem());
    if (!c.fingerprint().equals(candidate.fingerprint())) {
      throw new IllegalStateException("the key to trust as '" + c.name() + "' is not the one proposed; propose it again");
    }
    try {
      return vault.trust().addKey(c.name(), c.role(), VerifyingKey.fromPem(c.pem(), "the proposed key").publicKey(),
          Optional.empty(), Optional.empty());
    } catch (IOException e) {
      throw new UncheckedIOException("the trust store could not be written: " + e.getMessage()
          + "; check the data directory and confirm again", e);
    }
  }

  /**
   * Revokes an entry by name or fingerprint; the models it vouched for are flagged in the catalog,
   * and those approved or active are suspended.
   */
  public synchronized Revoked revoke(String nameOrFingerprint, String reason, String actor) {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("say why the key is revoked (e.g. 'private key leaked'): the reason is"
          + " written on every model it vouched for");
    }
    if (reason.length() > 1000) throw new IllegalArgumentException("keep the reason under 1000 characters");
    TrustAnchor a = vault.trust().find(nameOrFingerprint == null ? "" : nameOrFingerprint)
        .orElseThrow(() -> new NoSuchElementException("no trust entry named or with fingerprint '" + nameOrFingerprint
            + "': list them with GET /admin/trust"));
    if (a.isRevoked()) {
      throw new IllegalStateException("'" + a.name() + "' was already revoked at " + a.revocation().get().at());
    }
    int toFlag = vouchedFor(a.fingerprint().hex());
    try {
      // The record, with the CLI's fields, is appended as the store is about to save: if it cannot be, nothing is revoked.
      Vault.Revocation r = vault.revokeTrust(a.fingerprint().hex(), reason.strip(), (entry, revoked) -> {
        Map<String, Object> details = entry.auditDetails();
        details.put("modelsToFlag", toFlag);
        audit.append(AdminRecords.of("trust.revoked", actor, details));
      });
      // What the key brought in stops being served: approved and active versions are suspended.
      List<String> suspended = suspensions.suspendSignedBy(a.fingerprint().hex(), a.name(), actor);
      return new Revoked(r.anchor(), r.modelsFlagged(), suspended.size());
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /** Model versions the key vouched for that are not flagged yet (what revoking it will flag). */
  private int vouchedFor(String fingerprintHex) {
    try {
      int n = 0;
      for (ModelVersion v : vault.catalog().list()) {
        if (v.flag().isPresent()) continue;
        boolean transfer = fingerprintHex.equalsIgnoreCase(v.provenance().transferSignerFingerprint());
        boolean publisher = v.provenance().publisherSignature().signerFingerprint()
            .map(fingerprintHex::equalsIgnoreCase).orElse(false);
        if (transfer || publisher) n++;
      }
      return n;
    } catch (SQLException e) {
      throw new IllegalStateException("the vault catalog cannot be read: " + e.getMessage(), e);
    }
  }

  static TrustRole role(String role) {
    if (role != null) {
      for (TrustRole r : TrustRole.values()) if (r.name().equalsIgnoreCase(role.strip())) return r;
    }
    throw new IllegalArgumentException("role must be 'transfer' (signs bundles brought across the air gap) or"
        + " 'publisher' (signs models); found '" + role + "'");
  }
}
