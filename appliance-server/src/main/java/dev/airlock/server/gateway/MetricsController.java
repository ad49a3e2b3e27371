package dev.airlock.server.gateway;

import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.index.AuditIndex;
import dev.airlock.audit.index.IndexStatus;
import dev.airlock.audit.kafka.KafkaMirror;
import dev.airlock.audit.kafka.MirrorStatus;
import dev.airlock.server.backend.BackendSupervisor;
import io.micronaut.context.BeanProvider;
import dev.airlock.server.backend.Replica;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code /metrics} in the Prometheus text format, for operators only (the operator token; never an app key). */
@Allowed(value = Role.ADMIN, operatorToken = true)
@Controller("/metrics")
public class MetricsController {
  private static final MediaType PROMETHEUS = MediaType.of("text/plain; version=0.0.4; charset=utf-8");

  private final GatewayMetrics metrics;
  private final BackendSupervisor supervisor;
  private final AuditLog auditLog;
  private final BeanProvider<KafkaMirror> mirror;
  private final AuditIndex index;

  public MetricsController(GatewayMetrics metrics, BackendSupervisor supervisor, AuditLog auditLog,
                           BeanProvider<KafkaMirror> mirror, AuditIndex index) {
    this.metrics = metrics;
    this.supervisor = supervisor;
    this.auditLog = auditLog;
    this.mirror = mirror;
    this.index = index;
  }

  @Get
  public MutableHttpResponse<?> scrape(HttpRequest<?> request) {
    Map<String, String> gauges = new LinkedHashMap<>();
    StringBuilder healthy = new StringBuilder("# TYPE airlock_backend_replica_healthy gauge\n");
    StringBuilder inFlight = new StringBuilder("# TYPE airlock_backend_replica_in_flight gauge\n");
    StringBuilder restarts = new StringBuilder("# TYPE airlock_backend_replica_restarts gauge\n");
    for (Map.Entry<String, List<Replica>> e : new TreeMap<>(supervisor.replicas()).entrySet()) {
      for (Replica r : e.getValue()) {
        String l = GatewayMetrics.labels("model", e.getKey(), "replica", Integer.toString(r.index()));
        healthy.append("airlock_backend_replica_healthy").append(l).append(' ').append(r.healthy() ? 1 : 0).append('\n');
        inFlight.append("airlock_backend_replica_in_flight").append(l).append(' ').append(r.inFlight()).append('\n');
        restarts.append("airlock_backend_replica_restarts").append(l).append(' ').append(r.restarts()).append('\n');
      }
    }
    gauges.put("healthy", healthy.toString());
    gauges.put("inFlight", inFlight.toString());
    gauges.put("restarts", restarts.toString());
    StringBuilder audit = new StringBuilder("# TYPE airlock_audit_log_entries gauge\n")
        .append("airlock_audit_log_entries ").append(auditLog.size()).append('\n');
    // The search index is background work: under a burst it falls behind the log and catches up after.
    IndexStatus indexed = index.status();
    audit.append("# TYPE airlock_audit_index_lag_entries gauge\n")
        .append("airlock_audit_index_lag_entries ").append(indexed.behind()).append('\n')
        .append("# TYPE airlock_audit_index_rebuilding gauge\n")
        .append("airlock_audit_index_rebuilding ").append(indexed.rebuilding() ? 1 : 0).append('\n');
    if (mirror.isPresent()) {
      // Present when the server mirrors the audit log to Kafka: leaves durable here but not yet acknowledged there.
      MirrorStatus status = mirror.get().status();
      audit.append("# TYPE airlock_audit_kafka_mirror_lag gauge\n")
          .append("airlock_audit_kafka_mirror_lag ").append(status.lag()).append('\n');
    }
    gauges.put("audit", audit.toString());
    return HttpResponse.ok(metrics.render(gauges)).contentType(PROMETHEUS);
  }
}
