package dev.airlock.server.console;

import dev.airlock.audit.AuditLogException;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.backend.ActiveModels;
import dev.airlock.server.backend.BackendSpec;
import dev.airlock.server.backend.BackendStatus;
import dev.airlock.server.backend.ServedModel;
import dev.airlock.server.engine.EngineConfig;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Models (ADMIN): activate an approved vault version on the embedded engine or vLLM, see what is
 * served, deactivate or retire it, and point aliases. The same operations as
 * {@code PUT/DELETE /admin/models} and {@code PUT /admin/aliases}, through {@link ActiveModels}.
 */
@Produces(MediaType.TEXT_HTML)
@Controller("/console/models")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.ADMIN)
public class ModelsController {
  /** The backend kinds the activation form offers; external servers are attached through the JSON API. */
  static final List<String> FORM_KINDS = List.of("embedded", "vllm", "external");

  /** The badge each catalog state is shown with, by state name. */
  static final Map<String, String> STATE_BADGES = Arrays.stream(LifecycleState.values())
      .collect(java.util.stream.Collectors.toUnmodifiableMap(Enum::name, ModelsController::badge));

  private static String badge(LifecycleState state) {
    return switch (state) {
      case IMPORTED, UNDER_REVIEW -> "review";
      case APPROVED, ACTIVE -> "allow";
      case RETIRED -> "info";
      case SUSPENDED -> "deny";
      case DENIED, REVOKED -> "deny";
    };
  }

  /** An APPROVED version, or an ACTIVE one no model serves any more, that can be activated. */
  public record Ready(String id, String modelName, String version, String state, String defaultModelId,
                      List<String> kinds) {}

  /** A served model as the page lists it. */
  public record Served(String id, String kind, String catalogVersionId, String catalogVersion, long healthy, int total,
                       List<String> aliases, boolean fromVault) {}

  /** An alias and whether the model it points at is served. */
  public record Alias(String alias, String model, boolean served) {}

  private final ActiveModels models;
  private final BackendStatus backends;
  private final Vault vault;
  private final EngineConfig engine;
  private final Pages pages;

  public ModelsController(ActiveModels models, BackendStatus backends, Vault vault, EngineConfig engine, Pages pages) {
    this.models = models;
    this.backends = backends;
    this.vault = vault;
    this.engine = engine;
    this.pages = pages;
  }

  @Get
  public Object list(HttpRequest<?> request) {
    return pages.ok(page(request));
  }

  /** Form: version, modelId, backend, replicas, threads, ctxSize (embedded), extraArgs (vllm, space-separated). */
  @Post(uri = "/activate", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object activate(HttpRequest<?> request, @Body Map<String, String> form) {
    return change(request, () -> {
      String version = field(form, "version");
      if (version.isEmpty()) throw new IllegalArgumentException("choose the vault version to activate");
      String modelId = field(form, "modelId");
      if (modelId.isEmpty()) throw new IllegalArgumentException("give the model id clients will call it by");
      ServedModel m = models.activate(modelId, activation(form, version), Access.require(request).actorName());
      return "Activated " + m.id() + " on the " + BackendSpec.kind(m.backend()) + " backend. Its replicas are starting:"
          + " the Backends page shows when they are healthy.";
    });
  }

  @Post(uri = "/deactivate", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object deactivate(HttpRequest<?> request, @Body Map<String, String> form) {
    return change(request, () -> {
      String modelId = required(form, "model");
      models.deactivate(modelId, Access.require(request).actorName());
      return modelId + " is no longer served and its backend has stopped. Its vault version stays ACTIVE, so it can be"
          + " activated again.";
    });
  }

  /** Needs {@code confirm} ticked: retiring cannot be undone. */
  @Post(uri = "/retire", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object retire(HttpRequest<?> request, @Body Map<String, String> form) {
    return change(request, () -> {
      String modelId = required(form, "model");
      if (!form.containsKey("confirm")) {
        throw new IllegalArgumentException("to retire " + modelId + ", tick \"I understand clients will lose this model\":"
            + " a retired version is never served again");
      }
      models.retire(modelId, Access.require(request).actorName());
      return modelId + " is retired: it is no longer served, its vault version is RETIRED and will not be served again.";
    });
  }

  @Post(uri = "/alias", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object alias(HttpRequest<?> request, @Body Map<String, String> form) {
    return change(request, () -> {
      String alias = required(form, "alias");
      String model = required(form, "model");
      models.pointAlias(alias, model, Access.require(request).actorName());
      return "The alias " + alias + " now points at " + model + ".";
    });
  }

  /** Runs a change and shows the page with its outcome; a refusal keeps the page, with the reason and its status. */
  private Object change(HttpRequest<?> request, Supplier<String> action) {
    try {
      String done = action.get();
      return pages.ok(page(request).notice(done));
    } catch (RuntimeException e) {
      return pages.render(page(request).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  static ActiveModels.Activation activation(Map<String, String> form, String versionId) {
    String kind = field(form, "backend").toLowerCase(Locale.ROOT);
    if (!FORM_KINDS.contains(kind)) {
      throw new IllegalArgumentException("choose the embedded engine, vLLM, or external (for a registered external"
          + " server) as the backend; found '" + kind + "'");
    }
    Integer replicas = number(form, "replicas", "replicas");
    Integer threads = number(form, "threads", "threads");
    Integer ctxSize = number(form, "ctxSize", "context size");
    String extra = field(form, "extraArgs");
    if (kind.equals("vllm") && (threads != null || ctxSize != null)) {
      throw new IllegalArgumentException("threads and context size are settings of the embedded engine; for vLLM leave"
          + " them empty and give engine flags (e.g. --max-model-len 8192) instead");
    }
    if (kind.equals("embedded") && !extra.isEmpty()) {
      throw new IllegalArgumentException("engine flags are for vLLM; the embedded engine takes threads and context size");
    }
    List<String> extraArgs = kind.equals("vllm") && !extra.isEmpty() ? Arrays.asList(extra.split("\\s+")) : null;
    return new ActiveModels.Activation(kind, versionId, null, null, extraArgs,
        kind.equals("external") ? null : replicas, threads, ctxSize, null);
  }

  private static Integer number(Map<String, String> form, String name, String label) {
    String value = field(form, name);
    if (value.isEmpty()) return null;
    try {
      return Integer.valueOf(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(label + " must be a whole number; found '" + value + "'");
    }
  }

  private static String field(Map<String, String> form, String name) {
    String v = form.get(name);
    return v == null ? "" : v.strip();
  }

  private static String required(Map<String, String> form, String name) {
    String v = field(form, name);
    if (v.isEmpty()) throw new IllegalArgumentException("the form has no " + name + "; reload the page and try again");
    return v;
  }


  private Page page(HttpRequest<?> request) {
    List<ModelVersion> catalog;
    try {
      catalog = new ArrayList<>(vault.catalog().list());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the vault catalog: " + e.getMessage(), e);
    }
    catalog.sort(Comparator.comparing(ModelVersion::modelName).thenComparing(ModelVersion::version));
    Map<String, ModelVersion> byId = new HashMap<>();
    for (ModelVersion v : catalog) byId.put(v.id(), v);

    List<ServedModel> active = models.active();
    Map<String, String> aliases = new TreeMap<>(models.aliases());
    Map<String, BackendStatus.ModelStatus> status = new HashMap<>();
    for (BackendStatus.ModelStatus s : backends.report(0)) status.put(s.modelId(), s);
    Set<String> servedVersions = new HashSet<>();
    List<Served> served = new ArrayList<>();
    for (ServedModel m : active) {
      m.catalogVersionId().ifPresent(servedVersions::add);
      String version = m.catalogVersionId().map(byId::get).map(v -> v.modelName() + " " + v.version())
          .orElse("not in the vault");
      BackendStatus.ModelStatus s = status.get(m.id());
      List<String> pointing = aliases.entrySet().stream().filter(e -> e.getValue().equals(m.id()))
          .map(Map.Entry::getKey).toList();
      served.add(new Served(m.id(), BackendSpec.kind(m.backend()), m.catalogVersionId().orElse(""), version,
          s == null ? 0 : s.healthyReplicas(), s == null ? 0 : s.replicas().size(), pointing,
          m.catalogVersionId().isPresent()));
    }
    Set<String> activeIds = new HashSet<>();
    for (ServedModel m : active) activeIds.add(m.id());
    List<Ready> ready = catalog.stream()
        .filter(v -> v.state() == LifecycleState.APPROVED
            || (v.state() == LifecycleState.ACTIVE && !servedVersions.contains(v.id())))
        // A registered external server is served under the name it answers to there.
        .map(v -> new Ready(v.id(), v.modelName(), v.version(), v.state().name(),
            v.external().map(x -> x.servedModelName()).orElse(v.modelName()),
            v.isExternal() ? List.of("external") : List.of("embedded", "vllm")))
        .toList();
    List<Alias> aliasRows = aliases.entrySet().stream()
        .map(e -> new Alias(e.getKey(), e.getValue(), activeIds.contains(e.getValue()))).toList();
    return Page.of(request, "models", "Models")
        .with("ready", ready)
        .with("served", served)
        .with("aliases", aliasRows)
        .with("catalog", catalog)
        .with("stateBadge", STATE_BADGES)
        .with("kinds", FORM_KINDS)
        .with("defaultThreads", engine.defaultThreads())
        .with("defaultCtxSize", engine.getCtxSize());
  }
}
