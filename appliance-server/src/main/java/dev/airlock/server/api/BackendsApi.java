package dev.airlock.server.api;

import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.backend.BackendStatus;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.LinkedHashMap;
import java.util.Map;

/** The running backends over JSON (ADMIN), as the console's Backends page shows them. */
@Controller("/admin/backends")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(value = Role.ADMIN, operatorToken = true)
public class BackendsApi {
  private final BackendStatus status;

  public BackendsApi(BackendStatus status) {
    this.status = status;
  }

  /** {@code ?lines=N}: log lines per replica, 0 to 500, default 40. */
  @Get
  public MutableHttpResponse<?> list(@Nullable @QueryValue String lines) {
    return Api.run(HttpStatus.OK, () -> Map.of("data", status.report(lines(lines)).stream().map(BackendsApi::view).toList()));
  }

  private static int lines(String value) {
    if (value == null || value.isBlank()) return BackendStatus.DEFAULT_LOG_LINES;
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("lines must be a whole number from 0 to " + BackendStatus.MAX_LOG_LINES
          + "; found '" + value + "'");
    }
  }

  private static Map<String, Object> view(BackendStatus.ModelStatus m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("modelId", m.modelId());
    out.put("backend", m.kind());
    out.put("catalogVersionId", m.catalogVersionId().orElse(null));
    out.put("healthyReplicas", m.healthyReplicas());
    out.put("replicas", m.replicas().stream().map(BackendsApi::view).toList());
    return out;
  }

  private static Map<String, Object> view(BackendStatus.ReplicaStatus r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("index", r.index());
    out.put("address", r.address());
    out.put("pid", r.pid().isPresent() ? r.pid().getAsLong() : null);
    out.put("healthy", r.healthy());
    out.put("inFlight", r.inFlight());
    out.put("restarts", r.restarts());
    out.put("recentLog", r.recentLog());
    out.put("logProblem", r.logProblem().orElse(null));
    return out;
  }
}
