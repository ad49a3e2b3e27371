package dev.airlock.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Prometheus text the gateway's metrics render to: cumulative buckets, sums, counts, labels. */
class GatewayMetricsTest {
  private static final long MS = 1_000_000;

  private static List<String> lines(GatewayMetrics m) {
    return m.render(Map.of()).lines().toList();
  }

  @Test
  void histogramBucketsAreCumulativeWithInfinityEqualToTheCount() {
    GatewayMetrics m = new GatewayMetrics();
    m.auditAppend(MS / 4, true); // 0.25 ms: the first bucket
    m.auditAppend(MS, true); // exactly 1 ms: counted at le=0.001
    m.auditAppend(3 * MS, true); // 3 ms: le=0.005
    m.auditAppend(120_000 * MS, true); // 120 s: beyond the largest bound, only +Inf

    assertThat(lines(m)).contains(
        "# TYPE airlock_audit_append_seconds histogram",
        "airlock_audit_append_seconds_bucket{le=\"5.0E-4\"} 1",
        "airlock_audit_append_seconds_bucket{le=\"0.001\"} 2",
        "airlock_audit_append_seconds_bucket{le=\"0.0025\"} 2",
        "airlock_audit_append_seconds_bucket{le=\"0.005\"} 3",
        "airlock_audit_append_seconds_bucket{le=\"60.0\"} 3",
        "airlock_audit_append_seconds_bucket{le=\"+Inf\"} 4",
        "airlock_audit_append_seconds_sum 120.00425",
        "airlock_audit_append_seconds_count 4");
    assertThat(lines(m)).noneMatch(l -> l.startsWith("airlock_audit_append_failures_total"));
  }

  @Test
  void requestsAreCountedByAppModelAndStatusAndErrorsSeparately() {
    GatewayMetrics m = new GatewayMetrics();
    m.request("app-1", "chat", 200, 4 * MS, MS / 2);
    m.request("app-1", "chat", 200, 6 * MS, MS / 2);
    m.request("app-1", "chat", 429, MS, MS);
    m.request("app-2", "chat", 503, MS, MS);
    m.tokens("app-1", "chat", 12, 0);
    m.auditAppend(MS, false);

    assertThat(lines(m)).contains(
        "# TYPE airlock_gateway_requests_total counter",
        "airlock_gateway_requests_total{app=\"app-1\",model=\"chat\",status=\"200\"} 2",
        "airlock_gateway_requests_total{app=\"app-1\",model=\"chat\",status=\"429\"} 1",
        "airlock_gateway_requests_total{app=\"app-2\",model=\"chat\",status=\"503\"} 1",
        "airlock_gateway_errors_total{app=\"app-1\",model=\"chat\",status=\"429\"} 1",
        "airlock_gateway_errors_total{app=\"app-2\",model=\"chat\",status=\"503\"} 1",
        "airlock_gateway_tokens_total{app=\"app-1\",model=\"chat\",kind=\"prompt\"} 12",
        "airlock_gateway_request_duration_seconds_bucket{model=\"chat\",le=\"0.005\"} 3",
        "airlock_gateway_request_duration_seconds_bucket{model=\"chat\",le=\"0.01\"} 4",
        "airlock_gateway_request_duration_seconds_count{model=\"chat\"} 4",
        "airlock_gateway_overhead_seconds_bucket{model=\"chat\",le=\"5.0E-4\"} 2",
        "airlock_audit_append_failures_total 1");
    assertThat(lines(m)).noneMatch(l -> l.startsWith("airlock_gateway_errors_total{app=\"app-1\",model=\"chat\",status=\"200\"}"));
    assertThat(lines(m)).noneMatch(l -> l.contains("kind=\"completion\""));
  }

  @Test
  void labelValuesAreEscaped() {
    GatewayMetrics m = new GatewayMetrics();
    m.backendRestarted("a\"b\\c\nd");
    assertThat(lines(m)).contains("airlock_backend_restarts_total{model=\"a\\\"b\\\\c\\nd\"} 1");
  }
}
