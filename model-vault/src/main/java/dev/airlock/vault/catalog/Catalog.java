package dev.airlock.vault.catalog;

import dev.airlock.vault.Sha256;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/** The model catalog in the appliance database: models, versions, files to blobs, lifecycle. */
public final class Catalog {
  private static final String VERSION_COLUMNS = "id, model_name, version, state, total_bytes,"
      + " publisher, origin_country, source, bundle_id, manifest_sha256, bundle_created_at,"
      + " transfer_signer_name, transfer_signer_fingerprint, publisher_signature,"
      + " publisher_signer_name, publisher_signer_fingerprint, publisher_signature_detail,"
      + " imported_at, importer, flagged_at, flag_reason";
  /** A version row with its external server, when it is one. */
  private static final String SELECT_VERSION = "SELECT v.*, x.served_model_name, x.endpoints FROM vault_model_version v"
      + " LEFT JOIN vault_external_server x ON x.version_id = v.id";

  private final DataSource dataSource;
  private final Clock clock;

  public Catalog(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /**
   * What an import adds, written in one transaction: a bundle's files, or a registered external
   * server's declaration, license and model card ({@code external} present).
   */
  public record NewVersion(String modelName, String version, long totalBytes, Provenance provenance,
      List<CatalogFile> files, Optional<ModelFacts> facts, Optional<ExternalServer> external) {
    public NewVersion(String modelName, String version, long totalBytes, Provenance provenance,
        List<CatalogFile> files, Optional<ModelFacts> facts) {
      this(modelName, version, totalBytes, provenance, files, facts, Optional.empty());
    }
  }

  /**
   * Records an imported version, its files and its blobs in one transaction: either all of it is
   * visible afterwards or none of it.
   */
  public LifecycleEvent recordImport(NewVersion v) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        LifecycleEvent event = recordImport(c, v);
        c.commit();
        return event;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * The same, as part of the caller's transaction on {@code c} (auto-commit off), so that the
   * caller's audit record commits with it.
   */
  public LifecycleEvent recordImport(Connection c, NewVersion v) throws SQLException {
    String id = UUID.randomUUID().toString();
    Instant now = clock.instant();
    Provenance p = v.provenance();
    if (!exists(c, "SELECT 1 FROM vault_model WHERE name = ?", v.modelName())) {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO vault_model (name, created_at) VALUES (?, ?)")) {
        s.setString(1, v.modelName());
        s.setObject(2, utc(now));
        s.executeUpdate();
      }
    }
    try (PreparedStatement s = c.prepareStatement("INSERT INTO vault_model_version (" + VERSION_COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      int i = 1;
      s.setString(i++, id);
      s.setString(i++, v.modelName());
      s.setString(i++, v.version());
      s.setString(i++, LifecycleState.IMPORTED.name());
      s.setLong(i++, v.totalBytes());
      s.setString(i++, p.publisher());
      s.setString(i++, p.originCountry());
      s.setString(i++, p.source().orElse(null));
      s.setString(i++, p.bundleId());
      s.setString(i++, p.manifestSha256());
      s.setObject(i++, utc(p.bundleCreatedAt()));
      s.setString(i++, p.transferSignerName());
      s.setString(i++, p.transferSignerFingerprint());
      PublisherSignature ps = p.publisherSignature();
      s.setString(i++, ps.status().name());
      s.setString(i++, ps.signerName().orElse(null));
      s.setString(i++, ps.signerFingerprint().orElse(null));
      s.setString(i++, truncate(ps.detail(), 2048));
      s.setObject(i++, utc(p.importedAt()));
      s.setString(i++, p.importer());
      s.setObject(i++, null);
      s.setString(i++, null);
      s.executeUpdate();
    }
    if (v.external().isPresent()) {
      try (PreparedStatement s = c.prepareStatement("UPDATE vault_model_version SET kind = 'EXTERNAL' WHERE id = ?")) {
        s.setString(1, id);
        s.executeUpdate();
      }
      try (PreparedStatement s = c.prepareStatement("INSERT INTO vault_external_server (version_id,"
          + " served_model_name, endpoints) VALUES (?, ?, ?)")) {
        s.setString(1, id);
        s.setString(2, v.external().get().servedModelName());
        s.setString(3, String.join("\n", v.external().get().endpoints()));
        s.executeUpdate();
      }
    }
    Set<Sha256> blobsDone = new HashSet<>();
    try (PreparedStatement blob = c.prepareStatement(
            "INSERT INTO vault_blob (sha256, size_bytes, stored_at) VALUES (?, ?, ?)");
        PreparedStatement file = c.prepareStatement(
            "INSERT INTO vault_file (version_id, ordinal, path, size_bytes, sha256) VALUES (?, ?, ?, ?, ?)")) {
      int ordinal = 0;
      for (CatalogFile f : v.files()) {
        if (blobsDone.add(f.sha256())
            && !exists(c, "SELECT 1 FROM vault_blob WHERE sha256 = ?", f.sha256().hex())) {
          blob.setString(1, f.sha256().hex());
          blob.setLong(2, f.size());
          blob.setObject(3, utc(now));
          blob.executeUpdate();
        }
        file.setString(1, id);
        file.setInt(2, ordinal++);
        file.setString(3, f.path());
        file.setLong(4, f.size());
        file.setString(5, f.sha256().hex());
        file.addBatch();
      }
      file.executeBatch();
    }
    if (v.facts().isPresent()) insertFacts(c, id, v.facts().get());
    LifecycleEvent event = new LifecycleEvent(UUID.randomUUID().toString(), id, v.modelName(),
        v.version(), Optional.empty(), LifecycleState.IMPORTED, p.importer(),
        Optional.of(v.external().isPresent() ? "registered as an external server at "
            + String.join(", ", v.external().get().endpoints()) : "imported from bundle " + p.bundleId()), now);
    insertEvent(c, event);
    return event;
  }

  /**
   * Moves a version to another state if the lifecycle table allows it and nobody moved it in
   * the meantime; returns the event for the caller to audit.
   */
  public LifecycleEvent transition(String versionId, LifecycleState to, String actor,
      Optional<String> reason) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        LifecycleEvent event = transition(c, versionId, to, actor, reason);
        c.commit();
        return event;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * The same move, as part of the caller's transaction on {@code c} (a connection to this
   * catalog's database with auto-commit off): nothing is committed here, so the caller can store
   * its own rows and append its audit record before committing all of it together.
   */
  public LifecycleEvent transition(Connection c, String versionId, LifecycleState to, String actor,
      Optional<String> reason) throws SQLException {
    ModelVersion v = find(c, versionId).orElseThrow(() -> new IllegalTransitionException(
        "no model version with id " + versionId + " in the catalog"));
    if (!v.state().canMoveTo(to)) {
      throw new IllegalTransitionException(v.modelName() + " " + v.version() + " is "
          + v.state() + " and cannot become " + to + "; from " + v.state() + " it can become "
          + (v.state().allowedNext().isEmpty() ? "nothing (final)" : v.state().allowedNext()));
    }
    Instant now = clock.instant();
    try (PreparedStatement s = c.prepareStatement(
        "UPDATE vault_model_version SET state = ? WHERE id = ? AND state = ?")) {
      s.setString(1, to.name());
      s.setString(2, versionId);
      s.setString(3, v.state().name());
      if (s.executeUpdate() != 1) {
        throw new IllegalTransitionException(v.modelName() + " " + v.version()
            + " changed state while this move was decided; reload and try again");
      }
    }
    LifecycleEvent event = new LifecycleEvent(UUID.randomUUID().toString(), versionId,
        v.modelName(), v.version(), Optional.of(v.state()), to, actor, reason, now);
    insertEvent(c, event);
    return event;
  }

  public List<LifecycleEvent> history(String versionId) throws SQLException {
    List<LifecycleEvent> events = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT e.id, e.version_id, v.model_name, v.version,"
            + " e.from_state, e.to_state, e.actor, e.reason, e.occurred_at FROM vault_lifecycle_event e"
            + " JOIN vault_model_version v ON v.id = e.version_id WHERE e.version_id = ?"
            + " ORDER BY e.seq")) {
      s.setString(1, versionId);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          events.add(new LifecycleEvent(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
              Optional.ofNullable(r.getString(5)).map(LifecycleState::valueOf),
              LifecycleState.valueOf(r.getString(6)), r.getString(7), Optional.ofNullable(r.getString(8)),
              instant(r, 9)));
        }
      }
    }
    return events;
  }

  /** Flags every version a (now revoked) key vouched for, as transfer signer or publisher. */
  public int flagSignedBy(String fingerprint, String reason) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("UPDATE vault_model_version SET flagged_at = ?,"
            + " flag_reason = ? WHERE (transfer_signer_fingerprint = ? OR publisher_signer_fingerprint = ?)"
            + " AND flagged_at IS NULL")) {
      s.setObject(1, utc(clock.instant()));
      s.setString(2, truncate(reason, 2048));
      s.setString(3, fingerprint);
      s.setString(4, fingerprint);
      return s.executeUpdate();
    }
  }

  public Optional<ModelVersion> find(String versionId) throws SQLException {
    return one(SELECT_VERSION + " WHERE v.id = ?", versionId);
  }

  /** The version as the caller's transaction on {@code c} sees it. */
  public Optional<ModelVersion> find(Connection c, String versionId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(SELECT_VERSION + " WHERE v.id = ?")) {
      s.setString(1, versionId);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.of(version(r)) : Optional.empty();
      }
    }
  }

  public Optional<ModelVersion> find(String modelName, String version) throws SQLException {
    return one(SELECT_VERSION + " WHERE v.model_name = ? AND v.version = ?", modelName, version);
  }

  public Optional<ModelVersion> findByBundleId(String bundleId) throws SQLException {
    return one(SELECT_VERSION + " WHERE v.bundle_id = ?", bundleId);
  }

  public List<ModelVersion> list() throws SQLException {
    return many(SELECT_VERSION + " ORDER BY v.model_name, v.version");
  }

  public List<CatalogFile> files(String versionId) throws SQLException {
    List<CatalogFile> files = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(
            "SELECT path, size_bytes, sha256 FROM vault_file WHERE version_id = ? ORDER BY ordinal")) {
      s.setString(1, versionId);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) files.add(new CatalogFile(r.getString(1), r.getLong(2), new Sha256(r.getString(3))));
      }
    }
    return files;
  }

  /** Every blob the catalog knows, with its size. */
  public java.util.Map<Sha256, Long> blobs() throws SQLException {
    java.util.Map<Sha256, Long> blobs = new java.util.HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT sha256, size_bytes FROM vault_blob");
        ResultSet r = s.executeQuery()) {
      while (r.next()) blobs.put(new Sha256(r.getString(1)), r.getLong(2));
    }
    return blobs;
  }

  private Optional<ModelVersion> one(String sql, String... args) throws SQLException {
    List<ModelVersion> l = many(sql, args);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  private List<ModelVersion> many(String sql, String... args) throws SQLException {
    List<ModelVersion> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) s.setString(i + 1, args[i]);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) out.add(version(r));
      }
    }
    return out;
  }

  private static ModelVersion version(ResultSet r) throws SQLException {
    PublisherSignature ps = new PublisherSignature(
        PublisherSignature.Status.valueOf(r.getString("publisher_signature")),
        Optional.ofNullable(r.getString("publisher_signer_name")),
        Optional.ofNullable(r.getString("publisher_signer_fingerprint")),
        Optional.ofNullable(r.getString("publisher_signature_detail")).orElse(""));
    Provenance p = new Provenance(r.getString("publisher"), r.getString("origin_country"),
        Optional.ofNullable(r.getString("source")), r.getString("bundle_id"),
        r.getString("manifest_sha256"), instant(r, "bundle_created_at"),
        r.getString("transfer_signer_name"), r.getString("transfer_signer_fingerprint"), ps,
        instant(r, "imported_at"), r.getString("importer"));
    Optional<ModelVersion.Flag> flag = r.getObject("flagged_at") == null ? Optional.empty()
        : Optional.of(new ModelVersion.Flag(instant(r, "flagged_at"), r.getString("flag_reason")));
    Optional<ExternalServer> external = "EXTERNAL".equals(r.getString("kind"))
        ? Optional.of(new ExternalServer(r.getString("served_model_name"), List.of(r.getString("endpoints").split("\n"))))
        : Optional.empty();
    return new ModelVersion(r.getString("id"), r.getString("model_name"), r.getString("version"),
        LifecycleState.valueOf(r.getString("state")), r.getLong("total_bytes"), p, flag, external);
  }

  private static void insertFacts(Connection c, String versionId, ModelFacts f) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO vault_model_facts (version_id,"
        + " weight_format, architecture, model_type, parameter_count, declared_dtype, quantization,"
        + " quantization_bits, context_length, needs_remote_code, has_pickle_weights, risk_findings)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, versionId);
      s.setString(2, f.weightFormat());
      s.setString(3, truncate(f.architecture().orElse(null), 256));
      s.setString(4, truncate(f.modelType().orElse(null), 256));
      s.setObject(5, f.parameterCount().isPresent() ? f.parameterCount().getAsLong() : null, java.sql.Types.BIGINT);
      s.setString(6, truncate(f.declaredDtype().orElse(null), 64));
      s.setString(7, truncate(f.quantization().orElse(null), 64));
      s.setObject(8, f.quantizationBits().isPresent() ? f.quantizationBits().getAsInt() : null, java.sql.Types.INTEGER);
      s.setObject(9, f.contextLength().isPresent() ? f.contextLength().getAsInt() : null, java.sql.Types.INTEGER);
      s.setBoolean(10, f.needsRemoteCode());
      s.setBoolean(11, f.hasPickleWeights());
      StringBuilder risks = new StringBuilder();
      for (ModelFacts.Risk r : f.risks()) {
        risks.append(oneLine(r.kind())).append('\t').append(oneLine(r.file())).append('\t')
            .append(oneLine(r.reason())).append('\n');
      }
      s.setString(12, truncate(risks.toString(), 65536));
      s.executeUpdate();
    }
  }

  private static String oneLine(String s) {
    return s.replace('\t', ' ').replace('\n', ' ');
  }

  /** The facts learned at import, when the version's files could be inspected. */
  public Optional<ModelFacts> facts(String versionId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT weight_format, architecture, model_type,"
            + " parameter_count, declared_dtype, quantization, quantization_bits, context_length,"
            + " needs_remote_code, has_pickle_weights, risk_findings FROM vault_model_facts WHERE version_id = ?")) {
      s.setString(1, versionId);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) return Optional.empty();
        List<ModelFacts.Risk> risks = new ArrayList<>();
        for (String line : r.getString(11).split("\n")) {
          String[] p = line.split("\t", 3);
          if (p.length == 3) risks.add(new ModelFacts.Risk(p[0], p[1], p[2]));
        }
        long params = r.getLong(4);
        java.util.OptionalLong parameterCount = r.wasNull() ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(params);
        int bits = r.getInt(7);
        java.util.OptionalInt quantBits = r.wasNull() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(bits);
        int ctx = r.getInt(8);
        java.util.OptionalInt context = r.wasNull() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(ctx);
        return Optional.of(new ModelFacts(r.getString(1), Optional.ofNullable(r.getString(2)),
            Optional.ofNullable(r.getString(3)), parameterCount, Optional.ofNullable(r.getString(5)),
            Optional.ofNullable(r.getString(6)), quantBits, context, r.getBoolean(9), r.getBoolean(10), risks));
      }
    }
  }

  /** Events are numbered per version, so their order survives equal timestamps. */
  private static void insertEvent(Connection c, LifecycleEvent e) throws SQLException {
    int seq;
    try (PreparedStatement q = c.prepareStatement(
        "SELECT COALESCE(MAX(seq), -1) + 1 FROM vault_lifecycle_event WHERE version_id = ?")) {
      q.setString(1, e.versionId());
      try (ResultSet r = q.executeQuery()) {
        r.next();
        seq = r.getInt(1);
      }
    }
    try (PreparedStatement s = c.prepareStatement("INSERT INTO vault_lifecycle_event (id, version_id,"
        + " seq, from_state, to_state, actor, reason, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, e.eventId());
      s.setString(2, e.versionId());
      s.setInt(3, seq);
      s.setString(4, e.from().map(Enum::name).orElse(null));
      s.setString(5, e.to().name());
      s.setString(6, e.actor());
      s.setString(7, e.reason().map(x -> truncate(x, 2048)).orElse(null));
      s.setObject(8, utc(e.at()));
      s.executeUpdate();
    }
  }

  private static boolean exists(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, arg);
      try (ResultSet r = s.executeQuery()) {
        return r.next();
      }
    }
  }

  private static OffsetDateTime utc(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet r, String column) throws SQLException {
    return r.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static Instant instant(ResultSet r, int column) throws SQLException {
    return r.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

}
