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
 *
 * <p>Every request passes here several times, so recording is kept to a map lookup on a small key
 * and one or two adder increments: a histogram counts each observation in its own bucket only, and
 * label strings are built when {@code /metrics} is read, not when something is recorded.
 */
@Singleton
public class GatewayMetrics implements dev.airlock.server.backend.BackendEvents {
  /** Latency buckets in seconds: sub-millisecond gateway overhead up to minute-long generations. */
  static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  private static final long[] BUCKET_NANOS = new long[BUCKETS.length];
  private static final String[] STATUS = new String[600];

  static {
    for (int i = 0; i < BUCKETS.length; i++) BUCKET_NANOS[i] = Math.round(BUCKETS[i] * 1e9);
    for (int i = 0; i < STATUS.length; i++) STATUS[i] = Integer.toString(i);
  }

  /** A metric: its name and the names of its labels, in the order they are printed. */
  private record Metric(String name, String... labels) {}

  private static final Metric REQUESTS = new Metric("airlock_gateway_requests_total", "app", "model", "status");
  private static final Metric ERRORS = new Metric("airlock_gateway_errors_total", "app", "model", "status");
  private static final Metric TOKENS = new Metric("airlock_gateway_tokens_total", "app", "model", "kind");
  private static final Metric RESTARTS = new Metric("airlock_backend_restarts_total", "model");
  private static final Metric APPEND_FAILURES = new Metric("airlock_audit_append_failures_total");
  private static final Metric REQUEST_SECONDS = new Metric("airlock_gateway_request_duration_seconds", "model");
  private static final Metric OVERHEAD_SECONDS = new Metric("airlock_gateway_overhead_seconds", "model");
  private static final Metric TTFT_SECONDS = new Metric("airlock_gateway_time_to_first_token_seconds", "model");
  private static final Metric APPEND_SECONDS = new Metric("airlock_audit_append_seconds");

  /** One series: a metric and its label values (unused ones null). Metrics are constants, compared by identity. */
  private record Series(Metric metric, String a, String b, String c) {
    String labels() {
      String[] values = {a, b, c};
      String[] kv = new String[metric.labels().length * 2];
      for (int i = 0; i < metric.labels().length; i++) {
        kv[2 * i] = metric.labels()[i];
        kv[2 * i + 1] = values[i];
      }
      return kv.length == 0 ? "" : GatewayMetrics.labels(kv);
    }
  }

  private final Map<Series, LongAdder> counters = new ConcurrentHashMap<>();
  private final Map<Series, Histogram> histograms = new ConcurrentHashMap<>();

  private static final class Histogram {
    /** Observations per bucket, not cumulative: the last slot counts those above the largest bound. */
    final LongAdder[] buckets = new LongAdder[BUCKETS.length + 1];
    final LongAdder sumNanos = new LongAdder();

    Histogram() {
      for (int i = 0; i < buckets.length; i++) buckets[i] = new LongAdder();
    }

    void observe(long nanos) {
      int i = 0;
      while (i < BUCKET_NANOS.length && nanos > BUCKET_NANOS[i]) i++;
      buckets[i].increment();
      sumNanos.add(nanos);
    }
  }

  public void request(String app, String model, int status, long latencyNanos, long overheadNanos) {
    String s = status >= 0 && status < STATUS.length ? STATUS[status] : Integer.toString(status);
    inc(new Series(REQUESTS, app, model, s), 1);
    if (status >= 400) inc(new Series(ERRORS, app, model, s), 1);
    observe(new Series(REQUEST_SECONDS, model, null, null), latencyNanos);
    observe(new Series(OVERHEAD_SECONDS, model, null, null), overheadNanos);
  }

  public void timeToFirstToken(String model, long nanos) {
    observe(new Series(TTFT_SECONDS, model, null, null), nanos);
  }

  public void tokens(String app, String model, long prompt, long completion) {
    if (prompt > 0) inc(new Series(TOKENS, app, model, "prompt"), prompt);
    if (completion > 0) inc(new Series(TOKENS, app, model, "completion"), completion);
  }

  public void auditAppend(long nanos, boolean ok) {
    observe(new Series(APPEND_SECONDS, null, null, null), nanos);
    if (!ok) inc(new Series(APPEND_FAILURES, null, null, null), 1);
  }

  @Override
  public void backendRestarted(String model) {
    inc(new Series(RESTARTS, model, null, null), 1);
  }

  private void inc(Series series, long by) {
    LongAdder adder = counters.get(series);
    if (adder == null) adder = counters.computeIfAbsent(series, k -> new LongAdder());
    adder.add(by);
  }

  private void observe(Series series, long nanos) {
    Histogram h = histograms.get(series);
    if (h == null) h = histograms.computeIfAbsent(series, k -> new Histogram());
    h.observe(nanos);
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
    counters.forEach((series, adder) ->
        byName.computeIfAbsent(series.metric().name(), n -> new TreeMap<>()).put(series.labels(), adder.sum()));
    byName.forEach((name, series) -> {
      out.append("# TYPE ").append(name).append(" counter\n");
      series.forEach((l, v) -> out.append(name).append(l).append(' ').append(v).append('\n'));
    });
    Map<String, Map<String, Histogram>> hByName = new TreeMap<>();
    histograms.forEach((series, h) ->
        hByName.computeIfAbsent(series.metric().name(), n -> new TreeMap<>()).put(series.labels(), h));
    hByName.forEach((name, series) -> {
      out.append("# TYPE ").append(name).append(" histogram\n");
      series.forEach((l, h) -> {
        String inner = l.isEmpty() ? "" : l.substring(1, l.length() - 1) + ",";
        // Read each bucket once, so that a scrape during traffic still has +Inf equal to the count.
        long cumulative = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
          cumulative += h.buckets[i].sum();
          out.append(name).append("_bucket{").append(inner).append("le=\"").append(BUCKETS[i]).append("\"} ")
              .append(cumulative).append('\n');
        }
        cumulative += h.buckets[BUCKETS.length].sum();
        out.append(name).append("_bucket{").append(inner).append("le=\"+Inf\"} ").append(cumulative).append('\n');
        out.append(name).append("_sum").append(l).append(' ').append(h.sumNanos.sum() / 1e9).append('\n');
        out.append(name).append("_count").append(l).append(' ').append(cumulative).append('\n');
      });
    });
    out.append(String.join("", gauges.values()));
    return out.toString();
  }
}
