package dev.airlock.server.gateway;

import jakarta.inject.Singleton;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's counters and histograms, rendered in the Prometheus text format (0.0.4). Written
 * by hand because the set is small and fixed, and the Micrometer Prometheus registry is not among
 * the artifacts that resolve on the build machines.
 */
@Singleton
public class GatewayMetrics {
  /** Latency buckets in seconds: sub-millisecond gateway overhead up to minute-long generations. */
  static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final Map<String, Histogram> histograms = new ConcurrentHashMap<>();

  private static final class Histogram {
    final LongAdder[] buckets = new LongAdder[BUCKETS.length];
    final LongAdder count = new LongAdder();
    final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

    Histogram() {
      for (int i = 0; i < buckets.length; i++) buckets[i] = new LongAdder();
    }

    void observe(double seconds) {
      for (int i = 0; i < BUCKETS.length; i++) {
        if (seconds <= BUCKETS[i]) buckets[i].increment();
      }
      count.increment();
      sum.add(seconds);
    }
  }

  public void request(String app, String model, int status, long latencyNanos, long overheadNanos) {
    inc("airlock_gateway_requests_total", labels("app", app, "model", model, "status", Integer.toString(status)), 1);
    if (status >= 400) {
      inc("airlock_gateway_errors_total", labels("app", app, "model", model, "status", Integer.toString(status)), 1);
    }
    observe("airlock_gateway_request_duration_seconds", labels("model", model), latencyNanos);
    observe("airlock_gateway_overhead_seconds", labels("model", model), overheadNanos);
  }

  public void timeToFirstToken(String model, long nanos) {
    observe("airlock_gateway_time_to_first_token_seconds", labels("model", model), nanos);
  }

  public void tokens(String app, String model, long prompt, long completion) {
    if (prompt > 0) inc("airlock_gateway_tokens_total", labels("app", app, "model", model, "kind", "prompt"), prompt);
    if (completion > 0) inc("airlock_gateway_tokens_total", labels("app", app, "model", model, "kind", "completion"), completion);
  }

  public void auditAppend(long nanos, boolean ok) {
    observe("airlock_audit_append_seconds", "", nanos);
    if (!ok) inc("airlock_audit_append_failures_total", "", 1);
  }

  public void backendRestarted(String model) {
    inc("airlock_backend_restarts_total", labels("model", model), 1);
  }

  private void inc(String name, String labels, long by) {
    counters.computeIfAbsent(name + labels, k -> new LongAdder()).add(by);
  }

  private void observe(String name, String labels, long nanos) {
    histograms.computeIfAbsent(name + "\u0000" + labels, k -> new Histogram()).observe(nanos / 1e9);
  }

  static String labels(String... kv) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < kv.length; i += 2) {
      if (i > 0) sb.append(',');
      sb.append(kv[i]).append("=\"").append(escape(kv[i + 1])).append('"');
    }
    return sb.append('}').toString();
  }

  private static String escape(String v) {
    return (v == null ? "" : v).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** The Prometheus text exposition of every metric, plus the gauges given by the caller. */
  public String render(Map<String, String> gauges) {
    StringBuilder out = new StringBuilder();
    Map<String, Map<String, Long>> byName = new TreeMap<>();
    counters.forEach((key, adder) -> {
      int brace = key.indexOf('{');
      String name = brace < 0 ? key : key.substring(0, brace);
      byName.computeIfAbsent(name, n -> new TreeMap<>()).put(brace < 0 ? "" : key.substring(brace), adder.sum());
    });
    byName.forEach((name, series) -> {
      out.append("# TYPE ").append(name).append(" counter\n");
      series.forEach((l, v) -> out.append(name).append(l).append(' ').append(v).append('\n'));
    });
    Map<String, Map<String, Histogram>> hByName = new TreeMap<>();
    histograms.forEach((key, h) -> {
      int sep = key.indexOf('\u0000');
      hByName.computeIfAbsent(key.substring(0, sep), n -> new TreeMap<>()).put(key.substring(sep + 1), h);
    });
    hByName.forEach((name, series) -> {
      out.append("# TYPE ").append(name).append(" histogram\n");
      series.forEach((l, h) -> {
        String inner = l.isEmpty() ? "" : l.substring(1, l.length() - 1) + ",";
        for (int i = 0; i < BUCKETS.length; i++) {
          out.append(name).append("_bucket{").append(inner).append("le=\"").append(BUCKETS[i]).append("\"} ")
              .append(h.buckets[i].sum()).append('\n');
        }
        out.append(name).append("_bucket{").append(inner).append("le=\"+Inf\"} ").append(h.count.sum()).append('\n');
        out.append(name).append("_sum").append(l).append(' ').append(h.sum.sum()).append('\n');
        out.append(name).append("_count").append(l).append(' ').append(h.count.sum()).append('\n');
      });
    });
    out.append(String.join("", gauges.values()));
    return out.toString();
  }
}
