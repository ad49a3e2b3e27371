package dev.airlock.server.backend;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.audit.AuditLog;
import dev.airlock.server.review.ModelReviews;
import dev.airlock.server.vocabulary.AdminRecords;
import dev.airlock.server.vocabulary.Refusal;
import dev.airlock.server.vocabulary.ServerFailure;
import dev.airlock.server.engine.EngineConfig;
import dev.airlock.vault.catalog.Catalog;
import dev.airlock.vault.catalog.IllegalTransitionException;
import dev.airlock.vault.catalog.LifecycleEvent;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
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
import dev.airlock.server.vocabulary.Sql;
import javax.sql.DataSource;

/**
 * The models the gateway serves and the aliases that point at them. Only ACTIVE models can be
 * listed or called, and only vault catalog versions can be activated: a bundle the vault verified
 * or an external server registered in the catalog, in either case reviewed and APPROVED by the
 * DPOs. Activation moves the version APPROVED -> ACTIVE in the catalog in the same transaction as
 * the activation row and both audit records; a version is served only while the catalog says
 * ACTIVE, so one the vault suspends, retires or revokes disappears from the gateway at its next
 * refresh. Which vLLM executable runs is installation configuration, never part of an activation.
 */
@Singleton
public class ActiveModels {
  public static final String ACTIVE = "ACTIVE";
  public static final String INACTIVE = "INACTIVE";

  /** Replicas per model: more than any one machine can run, fewer than a typo can ask for. */
  static final int MAX_REPLICAS = 64;
  /** The engine's own limits ({@code EngineOptions}): threads per replica, context window in tokens. */
  static final int MAX_THREADS = 1024;
  static final int MIN_CTX_SIZE = 16;
  static final int MAX_CTX_SIZE = 1 << 20;

  /**
   * What an operator asks for when activating a model (the JSON body of {@code PUT /admin/models/{id}}):
   * the catalog version, by {@code catalogVersionId} or by {@code catalogModel} and
   * {@code catalogVersion}, and how to serve it. The backend kind defaults to {@code external} for
   * a registered external server and to {@code vllm} otherwise; one replica; the engine's threads
   * and context size from {@code airlock.engine.*}; no embeddings; vLLM flags only from
   * {@link VllmFlags}' allowlist.
   */
  public record Activation(String backend, String catalogVersionId, String catalogModel, String catalogVersion,
                           List<String> extraArgs, Integer replicas, Integer threads, Integer ctxSize,
                           Boolean embeddings) {
    /** The JSON fields an activation has; any other is refused, never ignored. */
    public static final Set<String> FIELDS = Set.of("backend", "catalogVersionId", "catalogModel", "catalogVersion",
        "extraArgs", "replicas", "threads", "ctxSize", "embeddings");

    /** A vault version on a backend kind with every other setting at its default. */
    public static Activation ofVersion(String backend, String catalogVersionId) {
      return new Activation(backend, catalogVersionId, null, null, null, null, null, null, null);
    }
  }

  /**
   * The catalog version is not in a state that may be served (409 {@code version_not_servable}):
   * not yet approved by the DPOs, denied, suspended, retired or revoked. The message names the
   * state and what to do.
   */
  static Refusal notServable(String message) {
    return Refusal.conflict("version_not_servable", message);
  }

  private record Snapshot(Map<String, ServedModel> models, Map<String, String> aliases, Map<String, Receipt> receipts) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final DataSource db;
  private final AuditLog audit;
  private final BackendConfig config;
  private final Catalog catalog;
  private final ServableLayout layout;
  private final EngineConfig engine;
  private final ModelReviews reviews;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile Snapshot snapshot;

  public ActiveModels(ApplianceDatabase database, AuditLog audit, BackendConfig config, ServableLayout layout,
                      EngineConfig engine, ModelReviews reviews) {
    this.db = database.dataSource();
    this.audit = audit;
    this.config = config;
    this.layout = layout;
    this.engine = engine;
    this.reviews = reviews;
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
    if (direct != null) {
      return Optional.of(new ResolvedModel(direct, Optional.empty(), Optional.ofNullable(s.receipts.get(name))));
    }
    String target = s.aliases.get(name);
    if (target == null) return Optional.empty();
    return Optional.ofNullable(s.models.get(target))
        .map(m -> new ResolvedModel(m, Optional.of(name), Optional.ofNullable(s.receipts.get(target))));
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

  /**
   * Activates a catalog version on a backend and starts it. The version must be APPROVED (it
   * becomes ACTIVE in the catalog, recorded as {@code model.lifecycle}) or already ACTIVE.
   *
   * @throws IllegalArgumentException a bad field (400)
   * @throws NoSuchElementException no such catalog version (404)
   * @throws Refusal {@code version_not_servable}: the version is not APPROVED or ACTIVE (409)
   * @throws ServerFailure the servable directory cannot be laid out (500)
   */
  public ServedModel activate(String modelId, Activation a, String actor) {
    if (modelId == null || modelId.isBlank() || modelId.length() > 200) {
      throw new IllegalArgumentException("a model id is 1 to 200 characters");
    }
    ModelVersion version = catalogVersion(a);
    requireServable(version);
    String kind = kind(a, version);
    if (version.isExternal() && !version.external().get().servedModelName().equals(modelId)) {
      throw new IllegalArgumentException(name(version) + " answers as '" + version.external().get().servedModelName()
          + "' at its server, so it is activated under that id (PUT /admin/models/"
          + version.external().get().servedModelName() + "); point an alias at it for other names");
    }
    BackendSpec spec = spec(kind, a, version);
    String servedFrom = switch (spec) {
      case BackendSpec.External e -> "";
      default -> servablePath(kind, version);
    };
    ServedModel model = new ServedModel(modelId, servedFrom, spec, Optional.of(version.id()));
    List<String> extra = spec instanceof BackendSpec.Vllm v ? v.extraArgs() : List.of();
    List<String> endpoints = spec instanceof BackendSpec.External e
        ? e.endpoints().stream().map(URI::toString).toList() : List.of();
    int replicas = switch (spec) {
      case BackendSpec.Vllm v -> v.replicas();
      case BackendSpec.Embedded e -> e.replicas();
      case BackendSpec.External e -> endpoints.size();
    };
    Optional<BackendSpec.Embedded> embedded = spec instanceof BackendSpec.Embedded e ? Optional.of(e) : Optional.empty();
    inTransaction(c -> {
      // The catalog's move, the activation and both records commit together or not at all.
      ModelVersion now = catalog.find(c, version.id()).orElseThrow(() -> new NoSuchElementException(
          "the vault has no version with id " + version.id()));
      requireServable(now);
      Optional<LifecycleEvent> moved = now.state() == LifecycleState.APPROVED
          ? Optional.of(transition(c, now.id(), LifecycleState.ACTIVE, actor, "activated on the gateway"))
          : Optional.empty();
      String sql = exists(c, modelId)
          ? "UPDATE gateway_model SET state = ?, backend = ?, vault_path = ?, executable = ?, extra_args = ?,"
              + " endpoints = ?, replicas = ?, updated_at = ?, catalog_version_id = ?, engine_threads = ?,"
              + " engine_ctx_size = ?, engine_embeddings = ? WHERE id = ?"
          : "INSERT INTO gateway_model (state, backend, vault_path, executable, extra_args, endpoints, replicas,"
              + " updated_at, catalog_version_id, engine_threads, engine_ctx_size, engine_embeddings, id)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, ACTIVE);
        ps.setString(2, kind);
        ps.setString(3, servedFrom);
        ps.setString(4, ""); // the vLLM executable is installation configuration (airlock.gateway.vllm-executable)
        ps.setString(5, json(extra));
        ps.setString(6, json(endpoints));
        ps.setInt(7, replicas);
        ps.setObject(8, now());
        ps.setString(9, version.id());
        ps.setObject(10, embedded.map(BackendSpec.Embedded::threads).orElse(null), java.sql.Types.INTEGER);
        ps.setObject(11, embedded.map(BackendSpec.Embedded::ctxSize).orElse(null), java.sql.Types.INTEGER);
        ps.setObject(12, embedded.map(BackendSpec.Embedded::embeddings).orElse(null), java.sql.Types.BOOLEAN);
        ps.setString(13, modelId);
        ps.executeUpdate();
      }
      if (moved.isPresent()) audit.append(AdminRecords.of("model.lifecycle", actor, lifecycleFields(modelId, moved.get())));
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("modelId", modelId);
      f.put("catalogVersionId", version.id());
      f.put("catalogModel", version.modelName());
      f.put("catalogVersion", version.version());
      f.put("backend", kind);
      f.put("extraArgs", extra);
      f.put("endpoints", endpoints);
      f.put("replicas", replicas);
      embedded.ifPresent(e -> {
        f.put("threads", e.threads());
        f.put("ctxSize", e.ctxSize());
        f.put("embeddings", e.embeddings());
      });
      audit.append(AdminRecords.of("model.activated", actor, f));
    });
    changed();
    return model;
  }

  private static Map<String, Object> lifecycleFields(String modelId, LifecycleEvent e) {
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("modelId", modelId);
    l.putAll(e.auditDetails());
    return l;
  }

  /** The directory (vLLM) or GGUF file (embedded) the server laid out for a vault version. */
  private String servablePath(String kind, ModelVersion version) {
    try {
      Path dir = layout.materialize(version.id());
      return (kind.equals("embedded") ? ServableLayout.singleGguf(dir) : dir).toString();
    } catch (IOException e) {
      throw new ServerFailure("cannot lay out " + version.modelName() + " " + version.version()
          + " for serving: " + e.getMessage(), e);
    }
  }

  private static void requireServable(ModelVersion v) {
    String what = v.modelName() + " " + v.version() + " is " + v.state() + " in the vault";
    switch (v.state()) {
      case APPROVED, ACTIVE -> { }
      case IMPORTED, UNDER_REVIEW, DENIED -> throw notServable(what
          + "; a DPO must approve it before it can be served (only an APPROVED or already ACTIVE version can be activated)");
      case SUSPENDED -> throw notServable(what
          + "; it was suspended because what it was approved on changed (a policy, the organization profile, or a"
          + " revoked key): it is served again only after a new review and the DPOs' approval");
      case RETIRED -> throw notServable(what
          + "; a retired version is not served again: import, review and approve a new version");
      case REVOKED -> throw notServable(what + "; a revoked version is never served again");
    }
  }

  /**
   * Stops serving a model: it becomes INACTIVE and its backend stops. Its catalog version stays
   * ACTIVE (it can be activated again); {@link #retire} ends it in the catalog too.
   */
  public void deactivate(String modelId, String actor) {
    requireActive(modelId);
    inTransaction(c -> {
      markInactive(c, modelId);
      audit.append(AdminRecords.of("model.deactivated", actor, Map.of("modelId", modelId)));
    });
    changed();
  }

  /**
   * Deactivates a model served from the vault and retires its catalog version (ACTIVE -> RETIRED,
   * recorded as {@code model.lifecycle}); a retired version is never served again, so its servable
   * directory is removed. Any other gateway model serving the same version stops with it.
   *
   * @throws IllegalArgumentException the model was activated by path and has no catalog version
   */
  public void retire(String modelId, String actor) {
    requireActive(modelId);
    String versionId;
    try (Connection c = db.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT catalog_version_id FROM gateway_model WHERE id = ?")) {
      ps.setString(1, modelId);
      try (ResultSet rs = ps.executeQuery()) {
        versionId = rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read model activations: " + e.getMessage(), e);
    }
    if (versionId == null) {
      throw new IllegalArgumentException("model '" + modelId + "' has no catalog version to retire:"
          + " deactivate it instead (DELETE /admin/models/" + modelId + ")");
    }
    inTransaction(c -> {
      LifecycleEvent event = transition(c, versionId, LifecycleState.RETIRED, actor, "retired on the gateway");
      markInactive(c, modelId);
      audit.append(AdminRecords.of("model.lifecycle", actor, lifecycleFields(modelId, event)));
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("modelId", modelId);
      f.put("catalogVersionId", versionId);
      f.put("retired", true);
      audit.append(AdminRecords.of("model.deactivated", actor, f));
    });
    changed(); // the backend has stopped when this returns
    try {
      layout.remove(versionId);
    } catch (IOException e) {
      throw new IllegalStateException("the version is retired but its servable directory could not be removed: "
          + e.getMessage() + "; remove " + layout.directory(versionId) + " by hand", e);
    }
  }

  private void requireActive(String modelId) {
    if (!snapshot.models.containsKey(modelId)) {
      throw new NoSuchElementException("model '" + modelId + "' is not active: GET /admin/models lists active models");
    }
  }

  private static void markInactive(Connection c, String modelId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE gateway_model SET state = ?, updated_at = ? WHERE id = ?")) {
      ps.setString(1, INACTIVE);
      ps.setObject(2, now());
      ps.setString(3, modelId);
      ps.executeUpdate();
    }
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

  /** The catalog version an activation names, by id or by model name and version. */
  private ModelVersion catalogVersion(Activation a) {
    boolean byName = a.catalogModel() != null || a.catalogVersion() != null;
    if (a.catalogVersionId() == null && !byName) {
      throw new IllegalArgumentException("an activation names the vault version to serve: catalogVersionId, or"
          + " catalogModel and catalogVersion. Only versions the vault holds (an imported bundle or a registered"
          + " external server) that the DPOs approved are served; see docs/approvals.md");
    }
    try {
      if (a.catalogVersionId() != null) {
        ModelVersion v = catalog.find(a.catalogVersionId()).orElseThrow(() -> new NoSuchElementException(
            "the vault has no version with id " + a.catalogVersionId() + ": import its bundle first"));
        if (byName && !(v.modelName().equals(a.catalogModel()) && v.version().equals(a.catalogVersion()))) {
          throw new IllegalArgumentException("catalogVersionId " + v.id() + " is " + v.modelName() + " " + v.version()
              + ", not " + a.catalogModel() + " " + a.catalogVersion() + ": give the version id alone");
        }
        return v;
      }
      if (a.catalogModel() == null || a.catalogVersion() == null) {
        throw new IllegalArgumentException("to name a vault version give catalogVersionId, or both catalogModel"
            + " and catalogVersion");
      }
      return catalog.find(a.catalogModel(), a.catalogVersion()).orElseThrow(() -> new NoSuchElementException(
          "the vault has no " + a.catalogModel() + " version " + a.catalogVersion() + ": import its bundle first"));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the vault catalog: " + e.getMessage(), e);
    }
  }

  private LifecycleEvent transition(Connection c, String versionId, LifecycleState to, String actor, String reason)
      throws SQLException {
    try {
      return catalog.transition(c, versionId, to, actor, Optional.of(reason));
    } catch (IllegalTransitionException e) {
      throw notServable(e.getMessage());
    }
  }

  /** A model is served only while its catalog version is ACTIVE there; one without a version never is. */
  private Optional<ModelVersion> servable(String catalogVersionId) {
    if (catalogVersionId == null) return Optional.empty();
    try {
      return catalog.find(catalogVersionId).filter(v -> v.state().isServable());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the vault catalog: " + e.getMessage(), e);
    }
  }

  /** The backend kind: {@code external} for a registered external server, else vllm (default) or embedded. */
  private static String kind(Activation a, ModelVersion version) {
    String asked = a.backend() == null || a.backend().isBlank() ? null : a.backend().strip().toLowerCase(Locale.ROOT);
    if (version.isExternal()) {
      if (asked != null && !asked.equals("external")) {
        throw new IllegalArgumentException(name(version) + " is a registered external server, served where it runs:"
            + " its backend is 'external', not '" + a.backend() + "'");
      }
      return "external";
    }
    String kind = asked == null ? "vllm" : asked;
    if (kind.equals("external")) {
      throw new IllegalArgumentException(name(version) + " is a bundle in the vault: serve it with 'vllm' or"
          + " 'embedded'. An OpenAI-compatible server running elsewhere is registered as a catalog entry of its own"
          + " (POST /admin/externals), reviewed and approved like a bundle, then activated");
    }
    if (!Set.of("vllm", "embedded").contains(kind)) {
      throw new IllegalArgumentException("backend must be 'vllm' or 'embedded' (or 'external' for a registered"
          + " external server); found '" + a.backend() + "'");
    }
    return kind;
  }

  private BackendSpec spec(String kind, Activation a, ModelVersion version) {
    return switch (kind) {
      case "vllm" -> {
        if (a.threads() != null || a.ctxSize() != null || a.embeddings() != null) {
          throw new IllegalArgumentException("threads, ctxSize and embeddings are settings of the embedded engine;"
              + " vLLM takes extraArgs (its allowlisted flags) and replicas");
        }
        List<String> extra = VllmFlags.check(a.extraArgs() == null ? List.of() : a.extraArgs());
        yield new BackendSpec.Vllm(extra, replicas(a));
      }
      case "embedded" -> {
        if (a.extraArgs() != null) {
          throw new IllegalArgumentException("extraArgs are vLLM flags and do not apply to the embedded engine;"
              + " it takes threads, ctxSize, embeddings and replicas");
        }
        int threads = a.threads() == null ? engine.defaultThreads() : a.threads();
        if (threads < 1 || threads > MAX_THREADS) {
          throw new IllegalArgumentException("threads must be 1 to " + MAX_THREADS + "; found " + threads);
        }
        int ctx = a.ctxSize() == null ? engine.getCtxSize() : a.ctxSize();
        if (ctx < MIN_CTX_SIZE || ctx > MAX_CTX_SIZE) {
          throw new IllegalArgumentException("ctxSize must be " + MIN_CTX_SIZE + " to " + MAX_CTX_SIZE
              + " tokens; found " + ctx);
        }
        boolean embeddings = a.embeddings() != null && a.embeddings();
        yield new BackendSpec.Embedded(threads, ctx, embeddings, replicas(a));
      }
      default -> {
        if (a.extraArgs() != null || a.replicas() != null || a.threads() != null || a.ctxSize() != null
            || a.embeddings() != null) {
          throw new IllegalArgumentException("an external server is served at the endpoints registered in its"
              + " catalog entry, as they were reviewed and approved; an activation gives it no other settings");
        }
        List<URI> uris = new ArrayList<>();
        for (String e : version.external().orElseThrow().endpoints()) uris.add(allowlisted(e));
        yield new BackendSpec.External(uris);
      }
    };
  }

  private static String name(ModelVersion v) {
    return v.modelName() + " " + v.version();
  }

  private static int replicas(Activation a) {
    int replicas = a.replicas() == null ? 1 : a.replicas();
    if (replicas < 1 || replicas > MAX_REPLICAS) {
      throw new IllegalArgumentException("replicas must be 1 to " + MAX_REPLICAS + "; found " + replicas);
    }
    return replicas;
  }

  private URI allowlisted(String endpoint) {
    URI uri;
    try {
      uri = URI.create(endpoint == null ? "" : endpoint.strip());
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

  /**
   * An external server's endpoint as the catalog keeps it ({@code http://host:port}), checked
   * against {@code airlock.gateway.external-allowlist}: when it is registered, and again (a second
   * fence) whenever it is activated.
   */
  public String allowlistedEndpoint(String endpoint) {
    return allowlisted(endpoint).toString();
  }

  /** One change at a time: a refresh returns once any change in progress has reached the backends. */
  private synchronized void changed() {
    snapshot = load();
    for (Runnable l : listeners) l.run();
  }

  /**
   * Reloads from the database (another node may have changed activations, the vault may have
   * suspended or revoked a version); returns once the backends match.
   */
  public synchronized void refresh() {
    Snapshot next = load();
    if (!next.equals(snapshot)) changed();
  }

  private Snapshot load() {
    Map<String, ServedModel> models = new TreeMap<>();
    Map<String, String> aliases = new TreeMap<>();
    Map<String, Receipt> receipts = new TreeMap<>();
    try (Connection c = db.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, backend, vault_path, executable, extra_args,"
          + " endpoints, replicas, catalog_version_id, engine_threads, engine_ctx_size, engine_embeddings"
          + " FROM gateway_model WHERE state = ?")) {
        ps.setString(1, ACTIVE);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String id = rs.getString(1);
            Optional<ModelVersion> version = servable(rs.getString(8));
            if (version.isEmpty()) continue;
            BackendSpec spec = switch (rs.getString(2)) {
              case "vllm" -> new BackendSpec.Vllm(list(rs.getString(5)), rs.getInt(7));
              case "embedded" -> new BackendSpec.Embedded(rs.getInt(9), rs.getInt(10), rs.getBoolean(11), rs.getInt(7));
              // Where the catalog says the approved server answers, not a copy that could drift.
              default -> new BackendSpec.External(version.get().external().map(x -> x.endpoints().stream()
                  .map(URI::create).toList()).orElse(List.of()));
            };
            if (spec instanceof BackendSpec.External x && x.endpoints().isEmpty()) continue;
            ModelVersion v = version.get();
            ModelReviews.ReviewRef review = reviews.currentReviewRef(v.id()).orElse(new ModelReviews.ReviewRef("", "", 0));
            receipts.put(id, new Receipt(v.id(), v.modelName(), v.version(), v.provenance().manifestSha256(),
                rs.getString(2), review.id(), review.policy(), review.policyVersion()));
            models.put(id, new ServedModel(id, rs.getString(3), spec, Optional.ofNullable(rs.getString(8))));
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
    return new Snapshot(Map.copyOf(models), Map.copyOf(aliases), Map.copyOf(receipts));
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
