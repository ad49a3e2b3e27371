package dev.airlock.vault.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The keys and CA roots Airlock trusts, per role, in {@code <data-dir>/trust/trust.json}. Entries
 * are never deleted: a revoked entry stays, so that bundles it signed are refused from then on
 * and the models it brought in can be found and flagged.
 */
public final class TrustStore {
  /** Where the store lives under the data directory. */
  public static final String FILE = "trust/trust.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Clock clock;
  private final List<TrustAnchor> anchors;
  private ChangeRecorder recorder = (entry, revoked) -> {};

  /**
   * Told of each change once it has been checked and before it is saved, so that a record of it
   * exists before the change does (the CLI leaves one for the audit log); if it throws, nothing is
   * saved.
   */
  @FunctionalInterface
  public interface ChangeRecorder {
    /** {@code entry} as it is about to be saved: added, or revoked when {@code revoked}. */
    void record(TrustAnchor entry, boolean revoked) throws IOException;
  }

  private TrustStore(Path file, Clock clock, List<TrustAnchor> anchors) {
    this.file = file;
    this.clock = clock;
    this.anchors = anchors;
  }

  /** Opens (or starts empty) the trust store of a data directory. */
  public static TrustStore open(Path dataDir, Clock clock) throws IOException {
    Path file = dataDir.resolve(FILE);
    List<TrustAnchor> anchors = new ArrayList<>();
    if (Files.exists(file)) {
      JsonNode root = JSON.readTree(file.toFile());
      for (JsonNode n : root.path("anchors")) anchors.add(fromJson(n, file));
    }
    return new TrustStore(file, clock, anchors);
  }

  /** Records every change made through this store from now on with {@code recorder}. */
  public void recordChangesWith(ChangeRecorder recorder) {
    this.recorder = recorder;
  }

  public List<TrustAnchor> all() {
    return List.copyOf(anchors);
  }

  /** Every anchor of a role, revoked and expired ones included (so refusals can name them). */
  public List<TrustAnchor> forRole(TrustRole role) {
    return anchors.stream().filter(a -> a.role() == role).toList();
  }

  public Optional<TrustAnchor> find(String nameOrFingerprint) {
    String key = nameOrFingerprint.strip();
    String hex = key.startsWith("sha256:") ? key.substring(7) : key;
    return anchors.stream()
        .filter(a -> a.name().equals(key) || a.fingerprint().hex().equalsIgnoreCase(hex))
        .findFirst();
  }

  /** Trusts a public key for a role. */
  public TrustAnchor addKey(String name, TrustRole role, PublicKey key, Optional<Instant> notBefore,
      Optional<Instant> notAfter) throws IOException {
    return add(new TrustAnchor(name, role, KeyFingerprints.fingerprint(key), key, Optional.empty(),
        clock.instant(), notBefore, notAfter, Optional.empty()));
  }

  /**
   * Trusts a CA root for a role; its validity is the certificate's unless narrowed by the
   * arguments.
   */
  public TrustAnchor addCa(String name, TrustRole role, X509Certificate root,
      Optional<Instant> notBefore, Optional<Instant> notAfter) throws IOException {
    Instant nb = notBefore.orElse(root.getNotBefore().toInstant());
    Instant na = notAfter.orElse(root.getNotAfter().toInstant());
    return add(new TrustAnchor(name, role, KeyFingerprints.fingerprint(root.getPublicKey()),
        root.getPublicKey(), Optional.of(root), clock.instant(), Optional.of(nb), Optional.of(na),
        Optional.empty()));
  }

  private TrustAnchor add(TrustAnchor anchor) throws IOException {
    if (anchor.name().isBlank() || anchor.name().startsWith("sha256:")) {
      throw new IllegalArgumentException("a trust entry needs a name that does not start with 'sha256:'");
    }
    for (TrustAnchor a : anchors) {
      if (a.name().equals(anchor.name())) {
        throw new IllegalArgumentException("the trust store already has an entry named '"
            + anchor.name() + "'; choose another name");
      }
      if (a.fingerprint().equals(anchor.fingerprint()) && a.role() == anchor.role()) {
        throw new IllegalArgumentException("this key is already trusted for " + a.role().label()
            + " as '" + a.name() + "' (" + a.fingerprint() + ")"
            + (a.isRevoked() ? ", and was revoked: a revoked key cannot be trusted again" : ""));
      }
    }
    recorder.record(anchor, false);
    anchors.add(anchor);
    save();
    return anchor;
  }

  /** Revokes an entry by name or fingerprint; returns it as revoked. */
  public TrustAnchor revoke(String nameOrFingerprint, String reason) throws IOException {
    return revoke(nameOrFingerprint, reason, (entry, revoked) -> { });
  }

  /**
   * The same, telling {@code also} of the revocation after this store's own recorder and before it
   * is saved: if either fails, nothing is revoked.
   */
  public TrustAnchor revoke(String nameOrFingerprint, String reason, ChangeRecorder also) throws IOException {
    TrustAnchor a = find(nameOrFingerprint).orElseThrow(() -> new IllegalArgumentException(
        "no trust entry named or with fingerprint '" + nameOrFingerprint + "'; see 'airlock trust list'"));
    if (a.isRevoked()) return a;
    TrustAnchor revoked = new TrustAnchor(a.name(), a.role(), a.fingerprint(), a.publicKey(),
        a.caCertificate(), a.addedAt(), a.notBefore(), a.notAfter(),
        Optional.of(new TrustAnchor.Revocation(clock.instant(), reason)));
    recorder.record(revoked, true);
    also.record(revoked, true);
    anchors.set(anchors.indexOf(a), revoked);
    save();
    return revoked;
  }

  /** Written to a temporary file, forced to disk, then renamed: a crash keeps the old or the new. */
  private void save() throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    ArrayNode list = root.putArray("anchors");
    for (TrustAnchor a : anchors) list.add(toJson(a));
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static ObjectNode toJson(TrustAnchor a) {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", a.name());
    n.put("role", a.role().label());
    n.put("fingerprint", a.fingerprint().hex());
    n.put("kind", a.isCa() ? "ca" : "key");
    try {
      n.put("der", Base64.getEncoder().encodeToString(a.isCa()
          ? a.caCertificate().get().getEncoded() : a.publicKey().getEncoded()));
    } catch (CertificateEncodingException e) {
      throw new UncheckedIOException(new IOException("cannot encode " + a.name(), e));
    }
    n.put("addedAt", a.addedAt().toString());
    a.notBefore().ifPresent(t -> n.put("notBefore", t.toString()));
    a.notAfter().ifPresent(t -> n.put("notAfter", t.toString()));
    a.revocation().ifPresent(r -> {
      n.put("revokedAt", r.at().toString());
      n.put("revocationReason", r.reason());
    });
    return n;
  }

  private static TrustAnchor fromJson(JsonNode n, Path file) throws IOException {
    try {
      byte[] der = Base64.getDecoder().decode(n.path("der").asText());
      TrustRole role = TrustRole.valueOf(n.path("role").asText().toUpperCase(java.util.Locale.ROOT));
      Optional<X509Certificate> ca = Optional.empty();
      PublicKey key;
      if ("ca".equals(n.path("kind").asText())) {
        X509Certificate cert = (X509Certificate) java.security.cert.CertificateFactory
            .getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(der));
        ca = Optional.of(cert);
        key = cert.getPublicKey();
      } else {
        key = KeyFingerprints.publicKeyFromDer(der);
      }
      Optional<TrustAnchor.Revocation> revocation = n.hasNonNull("revokedAt")
          ? Optional.of(new TrustAnchor.Revocation(Instant.parse(n.get("revokedAt").asText()),
              n.path("revocationReason").asText("")))
          : Optional.empty();
      return new TrustAnchor(n.path("name").asText(), role, KeyFingerprints.fingerprint(key), key, ca,
          Instant.parse(n.path("addedAt").asText()), instant(n, "notBefore"),
          instant(n, "notAfter"), revocation);
    } catch (RuntimeException | java.security.cert.CertificateException e) {
      throw new IOException("the trust store " + file + " has an unreadable entry '"
          + n.path("name").asText() + "': " + e.getMessage() + "; restore it from a backup", e);
    }
  }

  private static Optional<Instant> instant(JsonNode n, String field) {
    return n.hasNonNull(field) ? Optional.of(Instant.parse(n.get(field).asText())) : Optional.empty();
  }

}
