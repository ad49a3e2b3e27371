package dev.airlock.server.apps;

import dev.airlock.server.vocabulary.Problems;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.airlock.server.backend.ActiveModels;
import dev.airlock.server.backend.BackendSpec;
import dev.airlock.server.backend.BackendSupervisor;
import dev.airlock.server.backend.Replica;
import dev.airlock.server.backend.ServedModel;
import dev.airlock.audit.AuditLogException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The operator's JSON API for apps, keys, model activations and aliases, guarded by the operator
 * token. A key's secret appears exactly once: in the answer that created it.
 */
@Allowed(value = Role.ADMIN, operatorToken = true)
@Controller("/admin")
@ExecuteOn(TaskExecutors.VIRTUAL)
public class AdminController {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final Apps apps;
  private final ActiveModels models;
  private final BackendSupervisor supervisor;

  public AdminController(Apps apps, ActiveModels models, BackendSupervisor supervisor) {
    this.apps = apps;
    this.models = models;
    this.supervisor = supervisor;
  }

  @FunctionalInterface
  interface Action {
    Object run(String actor) throws IOException;
  }

  private MutableHttpResponse<?> guarded(HttpRequest<?> request, HttpStatus success, Action action) {
    try {
      String actor = Access.require(request).actorName();
      Object result = action.run(actor);
      return HttpResponse.status(success).body(JSON.writeValueAsBytes(result)).contentType(MediaType.APPLICATION_JSON_TYPE);
    } catch (IOException e) {
      return Problems.notJson(e);
    } catch (RuntimeException e) {
      return Problems.answer(e);
    }
  }

  /** Removed fields, with what to do instead: an activation names a catalog version and nothing else. */
  private static final Map<String, String> REMOVED_ACTIVATION_FIELDS = Map.of(
      "vaultPath", "only vault versions are served: name one with catalogVersionId (the server lays its files out itself)",
      "executable", "which vLLM runs is installation configuration (airlock.gateway.vllm-executable), not an API field",
      "endpoints", "an external server's endpoints are part of its catalog entry: register it with POST /admin/externals,"
          + " have the DPOs approve it, then activate its catalogVersionId");

  /** Reads an activation, refusing any field it does not have rather than ignoring it. */
  static ActiveModels.Activation activation(byte[] body) throws IOException {
    if (body == null || body.length == 0) throw new IllegalArgumentException("a JSON body is required");
    com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(body);
    if (!tree.isObject()) throw new IllegalArgumentException("the body is a JSON object naming the catalog version");
    for (var names = tree.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (REMOVED_ACTIVATION_FIELDS.containsKey(field)) {
        throw new IllegalArgumentException("'" + field + "' is not part of an activation: "
            + REMOVED_ACTIVATION_FIELDS.get(field));
      }
      if (!ActiveModels.Activation.FIELDS.contains(field)) {
        throw new IllegalArgumentException("unknown field '" + field + "'; an activation takes "
            + new java.util.TreeSet<>(ActiveModels.Activation.FIELDS));
      }
    }
    return JSON.treeToValue(tree, ActiveModels.Activation.class);
  }

  @Post(uri = "/apps", consumes = MediaType.ALL)
  public MutableHttpResponse<?> createApp(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return guarded(request, HttpStatus.CREATED, actor -> {
      Apps.Created created = apps.create(Problems.read(body, Apps.Spec.class), actor);
      Map<String, Object> out = appView(created.app());
      out.put("key", keyView(created.key()));
      return out;
    });
  }

  @Get("/apps")
  public MutableHttpResponse<?> listApps(HttpRequest<?> request) {
    return guarded(request, HttpStatus.OK, actor -> apps.list().stream().map(AdminController::appView).toList());
  }

  @Get("/apps/{id}")
  public MutableHttpResponse<?> getApp(HttpRequest<?> request, @PathVariable String id) {
    return guarded(request, HttpStatus.OK, actor -> appView(apps.find(id)
        .orElseThrow(() -> new NoSuchElementException("no app '" + id + "': list apps with GET /admin/apps"))));
  }

  @Patch(uri = "/apps/{id}", consumes = MediaType.ALL)
  public MutableHttpResponse<?> updateApp(HttpRequest<?> request, @PathVariable String id, @Nullable @Body byte[] body) {
    return guarded(request, HttpStatus.OK, actor -> appView(apps.update(id, Problems.read(body, Apps.Spec.class), actor)));
  }

  @Get("/apps/{id}/keys")
  public MutableHttpResponse<?> listKeys(HttpRequest<?> request, @PathVariable String id) {
    return guarded(request, HttpStatus.OK, actor -> apps.keys(id).stream().map(k -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("keyId", k.keyId());
      m.put("prefix", k.prefix());
      m.put("createdAt", k.createdAt().toString());
      m.put("revokedAt", k.revokedAt().map(Object::toString).orElse(null));
      return m;
    }).toList());
  }

  @Post(uri = "/apps/{id}/keys", consumes = MediaType.ALL)
  public MutableHttpResponse<?> issueKey(HttpRequest<?> request, @PathVariable String id) {
    return guarded(request, HttpStatus.CREATED, actor -> keyView(apps.issueKey(id, actor)));
  }

  @Post(uri = "/keys/{keyId}/rotate", consumes = MediaType.ALL)
  public MutableHttpResponse<?> rotateKey(HttpRequest<?> request, @PathVariable String keyId) {
    return guarded(request, HttpStatus.CREATED, actor -> keyView(apps.rotate(keyId, actor)));
  }

  @Delete("/keys/{keyId}")
  public MutableHttpResponse<?> revokeKey(HttpRequest<?> request, @PathVariable String keyId) {
    return guarded(request, HttpStatus.OK, actor -> {
      apps.revoke(keyId, actor);
      return Map.of("keyId", keyId, "revoked", true);
    });
  }

  @Put(uri = "/models/{+id}", consumes = MediaType.ALL)
  public MutableHttpResponse<?> activate(HttpRequest<?> request, @PathVariable String id, @Nullable @Body byte[] body) {
    return guarded(request, HttpStatus.OK, actor -> modelView(models.activate(id, activation(body), actor)));
  }

  /**
   * Deactivates a model; with {@code ?retire=true} its vault version is retired too (ACTIVE ->
   * RETIRED), which cannot be undone.
   */
  @Delete("/models/{+id}")
  public MutableHttpResponse<?> deactivate(HttpRequest<?> request, @PathVariable String id,
                                           @Nullable @QueryValue Boolean retire) {
    return guarded(request, HttpStatus.OK, actor -> {
      boolean retiring = retire != null && retire;
      if (retiring) {
        models.retire(id, actor);
      } else {
        models.deactivate(id, actor);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("modelId", id);
      out.put("state", ActiveModels.INACTIVE);
      out.put("retired", retiring);
      return out;
    });
  }

  @Get("/models")
  public MutableHttpResponse<?> listModels(HttpRequest<?> request) {
    return guarded(request, HttpStatus.OK, actor -> {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("models", models.active().stream().map(this::modelView).toList());
      out.put("aliases", models.aliases());
      return out;
    });
  }

  /** Body: {"model": "<model id>"}. */
  @Put(uri = "/aliases/{alias}", consumes = MediaType.ALL)
  public MutableHttpResponse<?> pointAlias(HttpRequest<?> request, @PathVariable String alias, @Nullable @Body byte[] body) {
    return guarded(request, HttpStatus.OK, actor -> {
      String model = JSON.readTree(body == null ? new byte[0] : body).path("model").asText("");
      if (model.isBlank()) throw new IllegalArgumentException("send {\"model\":\"<model id>\"} to point the alias at a model");
      models.pointAlias(alias, model, actor);
      return Map.of("alias", alias, "model", model);
    });
  }

  private static Map<String, Object> appView(App app) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", app.id());
    m.put("name", app.name());
    m.put("requestsPerMinute", app.requestsPerMinute());
    m.put("tokensPerMinute", app.tokensPerMinute());
    m.put("maxRequestBytes", app.maxRequestBytes());
    m.put("subjectHeader", app.subjectHeader().orElse(null));
    m.put("grants", List.copyOf(new java.util.TreeSet<>(app.grants())));
    return m;
  }

  private static Map<String, Object> keyView(IssuedKey key) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("keyId", key.keyId());
    m.put("appId", key.appId());
    m.put("prefix", key.prefix());
    m.put("secret", key.secret());
    m.put("note", "Shown once: store it now. Airlock keeps only its hash.");
    return m;
  }

  private Map<String, Object> modelView(ServedModel model) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", model.id());
    m.put("state", ActiveModels.ACTIVE);
    m.put("catalogVersionId", model.catalogVersionId().orElse(null));
    switch (model.backend()) {
      case BackendSpec.Vllm v -> {
        m.put("backend", "vllm");
        m.put("extraArgs", v.extraArgs());
        m.put("replicas", v.replicas());
      }
      case BackendSpec.Embedded e -> {
        m.put("backend", "embedded");
        m.put("threads", e.threads());
        m.put("ctxSize", e.ctxSize());
        m.put("embeddings", e.embeddings());
        m.put("replicas", e.replicas());
      }
      case BackendSpec.External e -> {
        m.put("backend", "external");
        m.put("endpoints", e.endpoints().stream().map(Object::toString).toList());
      }
    }
    List<Map<String, Object>> status = new ArrayList<>();
    for (Replica r : supervisor.replicas().getOrDefault(model.id(), List.of())) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("replica", r.index());
      s.put("address", r.base().toString());
      s.put("healthy", r.healthy());
      s.put("inFlight", r.inFlight());
      s.put("restarts", r.restarts());
      s.put("pid", r.pid().isPresent() ? r.pid().getAsLong() : null);
      status.add(s);
    }
    m.put("replicaStatus", status);
    return m;
  }
}
