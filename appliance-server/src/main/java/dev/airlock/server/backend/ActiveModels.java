package dev.airlock.server.backend;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.audit.AuditLog;
import dev.airlock.server.apps.AdminRecords;
import dev.airlock.server.gateway.GatewayConfig;
import dev.airlock.vault.catalog.Catalog;
import dev.airlock.vault.catalog.IllegalTransitionException;
import dev.airlock.vault.catalog.LifecycleEvent;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.airlock.server.Sql;
import javax.sql.DataSource;

/**
 * The models the gateway serves and the aliases that point at them. Only ACTIVE models can be
 * listed or called. This is the gateway's own record of activations. A model activated from the
 * vault (catalogModel + catalogVersion) must be APPROVED there, becomes ACTIVE there, and is
 * served only while it stays ACTIVE: a version the vault revokes or retires disappears from the
 * gateway at its next refresh.
 */
@Singleton
public class ActiveModels {
  public static final String ACTIVE = "ACTIVE";
  public static final String INACTIVE = "INACTIVE";

  /** Flags an operator may never pass to vLLM: remote code, and the address Airlock itself assigns. */
  static final Set<String> FORBIDDEN_VLLM_FLAGS = Set.of("--trust-remote-code", "--host", "--port",
      "--served-model-name", "--api-key");

  /** What an operator asks for when activating a model. */
  public record Activation(String backend, String vaultPath, String executable, List<String> extraArgs,
                           Integer replicas, List<String> endpoints, String catalogModel, String catalogVersion) {}

  private record Snapshot(Map<String, ServedModel> models, Map<String, String> aliases) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final DataSource db;
  private final AuditLog audit;
  private final GatewayConfig config;
  private final Catalog catalog;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile Snapshot snapshot;

  public ActiveModels(ApplianceDatabase database, AuditLog audit, GatewayConfig config) {
    this.db = database.dataSource();
    this.audit = audit;
    this.config = config;
    this.catalog = new Catalog(db, Clock.systemUTC());
    this.snapshot = load();
  }

  /** Called after every change, so the supervisor can start and stop backends. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  /** The ACTIVE model behind a model id or alias, if there is one. */
  public Optional<ResolvedModel> resolve(String name) {
    Snapshot s = snapshot;
    ServedModel direct = s.models.get(name);
    if (direct != null) return Optional.of(new ResolvedModel(direct, Optional.empty()));
    String target = s.aliases.get(name);
    if (target == null) return Optional.empty();
    return Optional.ofNullable(s.models.get(target)).map(m -> new ResolvedModel(m, Optional.of(name)));
  }

  /** Every callable name: active model ids and aliases that point at an active model, sorted. */
  public List<String> names() {
    Snapshot s = snapshot;
    List<String> out = new ArrayList<>(s.models.keySet());
    s.aliases.forEach((alias, target) -> {
      if (s.models.containsKey(target)) out.add(alias);
    });
    out.sort(null);
    return out;
  }

  public List<ServedModel> active() {
    return List.copyOf(snapshot.models.values());
  }

  public Map<String, String> aliases() {
    return Map.copyOf(snapshot.aliases);
  }

  public ServedModel activate(String modelId, Activation a, String actor) {
    ServedModel model = validate(modelId, a);
    List<String> extra = model.backend() instanceof BackendSpec.Vllm v ? v.extraArgs() : List.of();
    List<String> endpoints = model.backend() instanceof BackendSpec.External e
        ? e.endpoints().stream().map(URI::toString).toList() : List.of();
    int replicas = model.backend() instanceof BackendSpec.Vllm v ? v.replicas() : endpoints.size();
    String executable = model.backend() instanceof BackendSpec.Vllm v ? v.executable() : "";
    String kind = model.backend() instanceof BackendSpec.Vllm ? "vllm" : "external";
    Optional<LifecycleEvent> lifecycle = Optional.empty();
    String catalogVersionId = null;
    if (a.catalogModel() != null || a.catalogVersion() != null) {
      ModelVersion version = catalogVersion(a);
      catalogVersionId = version.id();
      if (version.state() == LifecycleState.APPROVED) {
        lifecycle = Optional.of(transition(version.id(), LifecycleState.ACTIVE, actor));
      } else if (version.state() != LifecycleState.ACTIVE) {
        throw new IllegalArgumentException(version.modelName() + " " + version.version() + " is " + version.state()
            + " in the vault; only an APPROVED (or already ACTIVE) version can be served");
      }
    }
    String linked = catalogVersionId;
    Optional<LifecycleEvent> moved = lifecycle;
    inTransaction(c -> {
      String sql = exists(c, modelId)
          ? "UPDATE gateway_model SET state = ?, backend = ?, vault_path = ?, executable = ?, extra_args = ?,"
              + " endpoints = ?, replicas = ?, updated_at = ?, catalog_version_id = ? WHERE id = ?"
          : "INSERT INTO gateway_model (state, backend, vault_path, executable, extra_args, endpoints, replicas,"
              + " updated_at, catalog_version_id, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, ACTIVE);
        ps.setString(2, kind);
        ps.setString(3, model.vaultPath());
        ps.setString(4, executable);
        ps.setString(5, json(extra));
        ps.setString(6, json(endpoints));
        ps.setInt(7, replicas);
        ps.setObject(8, now());
        ps.setString(9, linked);
        ps.setString(10, modelId);
        ps.executeUpdate();
      }
      if (moved.isPresent()) {
        LifecycleEvent e = moved.get();
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("modelId", modelId);
        l.put("catalogVersionId", e.versionId());
        l.put("catalogModel", e.modelName());
        l.put("catalogVersion", e.modelVersion());
        l.put("from", e.from().map(Enum::name).orElse(null));
        l.put("to", e.to().name());
        audit.append(AdminRecords.of("model.lifecycle", actor, l));
      }
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("modelId", modelId);
      f.put("catalogVersionId", linked);
      f.put("backend", kind);
      f.put("vaultPath", model.vaultPath());
      f.put("executable", executable);
      f.put("extraArgs", extra);
      f.put("endpoints", endpoints);
      f.put("replicas", replicas);
      audit.append(AdminRecords.of("model.activated", actor, f));
    });
    changed();
    return model;
  }

  public void deactivate(String modelId, String actor) {
    if (!snapshot.models.containsKey(modelId)) {
      throw new NoSuchElementException("model '" + modelId + "' is not active: GET /admin/models lists active models");
    }
    inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE gateway_model SET state = ?, updated_at = ? WHERE id = ?")) {
        ps.setString(1, INACTIVE);
        ps.setObject(2, now());
        ps.setString(3, modelId);
        ps.executeUpdate();
      }
      audit.append(AdminRecords.of("model.deactivated", actor, Map.of("modelId", modelId)));
    });
    changed();
  }

  /** Points an alias at a model (creating or re-pointing it); clients keep using the alias unchanged. */
  public void pointAlias(String alias, String modelId, String actor) {
    if (alias == null || alias.isBlank() || alias.length() > 200) {
      throw new IllegalArgumentException("an alias is a name of 1 to 200 characters, e.g. chat-default");
    }
    if (snapshot.models.containsKey(alias)) {
      throw new IllegalArgumentException("'" + alias + "' is a model id; an alias must have a name of its own");
    }
    inTransaction(c -> {
      if (!exists(c, modelId)) {
        throw new NoSuchElementException("no model '" + modelId + "': activate it first with PUT /admin/models/" + modelId);
      }
      String previous = snapshot.aliases.get(alias);
      String sql = previous != null
          ? "UPDATE gateway_alias SET model_id = ?, updated_at = ? WHERE alias = ?"
          : "INSERT INTO gateway_alias (model_id, updated_at, alias) VALUES (?, ?, ?)";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, modelId);
        ps.setObject(2, now());
        ps.setString(3, alias);
        ps.executeUpdate();
      }
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("alias", alias);
      f.put("modelId", modelId);
      f.put("previousModelId", previous);
      audit.append(AdminRecords.of("alias.pointed", actor, f));
    });
    changed();
  }

  private ModelVersion catalogVersion(Activation a) {
    if (a.catalogModel() == null || a.catalogVersion() == null) {
      throw new IllegalArgumentException("to serve a model from the vault give both catalogModel and catalogVersion");
    }
    try {
      return catalog.find(a.catalogModel(), a.catalogVersion()).orElseThrow(() -> new NoSuchElementException(
          "the vault has no " + a.catalogModel() + " version " + a.catalogVersion() + ": import its bundle first"));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the vault catalog: " + e.getMessage(), e);
    }
  }

  private LifecycleEvent transition(String versionId, LifecycleState to, String actor) {
    try {
      return catalog.transition(versionId, to, actor, Optional.of("activated on the gateway"));
    } catch (IllegalTransitionException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot update the vault catalog: " + e.getMessage(), e);
    }
  }

  /** A model linked to a vault version is served only while that version is ACTIVE in the catalog. */
  private boolean servable(String catalogVersionId) {
    if (catalogVersionId == null) return true;
    try {
      return catalog.find(catalogVersionId).map(v -> v.state().isServable()).orElse(false);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the vault catalog: " + e.getMessage(), e);
    }
  }

  private ServedModel validate(String modelId, Activation a) {
    if (modelId == null || modelId.isBlank() || modelId.length() > 200) {
      throw new IllegalArgumentException("a model id is 1 to 200 characters");
    }
    String kind = a.backend() == null ? "vllm" : a.backend().toLowerCase(Locale.ROOT);
    String vaultPath = a.vaultPath() == null ? "" : a.vaultPath();
    return switch (kind) {
      case "vllm" -> {
        if (vaultPath.isBlank()) {
          throw new IllegalArgumentException("a vLLM backend needs vaultPath: the model directory in the vault");
        }
        List<String> extra = a.extraArgs() == null ? List.of() : a.extraArgs();
        for (String flag : extra) {
          String name = flag.contains("=") ? flag.substring(0, flag.indexOf('=')) : flag;
          if (FORBIDDEN_VLLM_FLAGS.contains(name)) {
            throw new IllegalArgumentException("extraArgs may not contain " + name
                + ": Airlock sets the address and served name itself and never lets a model run remote code");
          }
        }
        int replicas = a.replicas() == null ? 1 : a.replicas();
        if (replicas < 1 || replicas > 64) throw new IllegalArgumentException("replicas must be 1 to 64; found " + replicas);
        String exe = a.executable() == null || a.executable().isBlank() ? config.getVllmExecutable() : a.executable();
        yield new ServedModel(modelId, vaultPath, new BackendSpec.Vllm(exe, extra, replicas));
      }
      case "external" -> {
        if (a.endpoints() == null || a.endpoints().isEmpty()) {
          throw new IllegalArgumentException("an external backend needs endpoints, e.g. [\"http://10.0.0.5:8000\"]");
        }
        List<URI> uris = new ArrayList<>();
        for (String e : a.endpoints()) uris.add(allowlisted(e));
        yield new ServedModel(modelId, vaultPath, new BackendSpec.External(uris));
      }
      default -> throw new IllegalArgumentException("backend must be 'vllm' or 'external'; found '" + a.backend() + "'");
    };
  }

  private URI allowlisted(String endpoint) {
    URI uri;
    try {
      uri = URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + endpoint + "' is not a URL such as http://10.0.0.5:8000");
    }
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0
        || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
      throw new IllegalArgumentException("an endpoint is http://host:port with no path; found '" + endpoint + "'");
    }
    String hostPort = uri.getHost() + ":" + uri.getPort();
    if (!config.getExternalAllowlist().contains(hostPort)) {
      throw new IllegalArgumentException("endpoint " + hostPort + " is not in airlock.gateway.external-allowlist;"
          + " the gateway contacts only allowlisted backends. Add it there first.");
    }
    return URI.create("http://" + hostPort);
  }

  private void changed() {
    snapshot = load();
    for (Runnable l : listeners) l.run();
  }

  /** Reloads from the database (another node may have changed activations). */
  public void refresh() {
    Snapshot next = load();
    if (!next.equals(snapshot)) changed();
  }

  private Snapshot load() {
    Map<String, ServedModel> models = new TreeMap<>();
    Map<String, String> aliases = new TreeMap<>();
    try (Connection c = db.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, backend, vault_path, executable, extra_args,"
          + " endpoints, replicas, catalog_version_id FROM gateway_model WHERE state = ?")) {
        ps.setString(1, ACTIVE);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String id = rs.getString(1);
            if (!servable(rs.getString(8))) continue;
            BackendSpec spec = rs.getString(2).equals("vllm")
                ? new BackendSpec.Vllm(rs.getString(4), list(rs.getString(5)), rs.getInt(7))
                : new BackendSpec.External(list(rs.getString(6)).stream().map(URI::create).toList());
            models.put(id, new ServedModel(id, rs.getString(3), spec));
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT alias, model_id FROM gateway_alias");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) aliases.put(rs.getString(1), rs.getString(2));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read model activations: " + e.getMessage(), e);
    }
    return new Snapshot(Map.copyOf(models), Map.copyOf(aliases));
  }

  private static boolean exists(Connection c, String modelId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM gateway_model WHERE id = ?")) {
      ps.setString(1, modelId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static String json(List<String> values) {
    try {
      return JSON.writeValueAsString(values);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> list(String json) {
    try {
      return JSON.readValue(json, new TypeReference<List<String>>() {});
    } catch (IOException e) {
      throw new IllegalStateException("corrupt model activation row: " + e.getMessage(), e);
    }
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }

  private void inTransaction(Sql.Work work) {
    Sql.inTransaction(db, work);
  }
}
