package dev.airlock.server.auditing;

import dev.airlock.audit.index.AuditIndex;
import dev.airlock.audit.index.DayCount;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The "requests per day" charts of the audit pages and their JSON twin: which UTC days a chart
 * covers (the last {@value #DEFAULT_DAYS} by default, else the search's time range), the counts
 * per model or app, and the text alternative that says what the picture shows.
 */
public final class RequestCharts {
  /** Days shown when the search has no time range: two weeks show a weekly rhythm twice. */
  public static final int DEFAULT_DAYS = 14;

  /**
   * The UTC days a chart covers, both inclusive.
   *
   * @param first the first day
   * @param last the last day
   */
  public record Days(LocalDate first, LocalDate last) {
    public Instant from() {
      return first.atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    public Instant to() {
      return last.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /**
     * The days of {@code [from, to)}: without {@code to}, up to today; without {@code from},
     * {@value #DEFAULT_DAYS} days up to {@code to}.
     *
     * @throws IllegalArgumentException more than {@link SvgCharts#MAX_DAYS} days, or an empty range
     */
    public static Days of(Optional<Instant> from, Optional<Instant> to, Instant now) {
      LocalDate last = to.map(t -> t.minusNanos(1)).orElse(now).atZone(ZoneOffset.UTC).toLocalDate();
      LocalDate first = from.map(f -> f.atZone(ZoneOffset.UTC).toLocalDate()).orElse(last.minusDays(DEFAULT_DAYS - 1));
      if (last.isBefore(first)) {
        throw new IllegalArgumentException("the chart's time range is empty: 'from' must be before 'to'");
      }
      long days = ChronoUnit.DAYS.between(first, last) + 1;
      if (days > SvgCharts.MAX_DAYS) {
        throw new IllegalArgumentException("a chart covers at most " + SvgCharts.MAX_DAYS + " days; " + first + " to "
            + last + " is " + days + " days: narrow 'from' and 'to'");
      }
      return new Days(first, last);
    }
  }

  private RequestCharts() {}

  /**
   * The grouping named in a request ({@code model} or {@code app}).
   *
   * @throws IllegalArgumentException anything else
   */
  public static AuditIndex.GroupBy groupBy(String by) {
    if (by == null || by.isBlank()) {
      throw new IllegalArgumentException("say how to group the requests: 'by=model' or 'by=app'");
    }
    return switch (by.strip().toLowerCase(Locale.ROOT)) {
      case "model" -> AuditIndex.GroupBy.MODEL;
      case "app" -> AuditIndex.GroupBy.APP;
      default -> throw new IllegalArgumentException("'by' must be 'model' or 'app', got '" + by + "'");
    };
  }

  /** The counts of {@code days} per group. */
  public static List<DayCount> counts(AuditSearch search, Days days, AuditIndex.GroupBy by) {
    return search.requestsPerDay(days.from(), days.to(), by);
  }

  /** Total requests per group, largest first. */
  public static Map<String, Long> totals(List<DayCount> counts) {
    Map<String, Long> sums = new TreeMap<>();
    counts.forEach(c -> sums.merge(c.group().isEmpty() ? "(none)" : c.group(), c.count(), Long::sum));
    Map<String, Long> out = new LinkedHashMap<>();
    sums.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** What the chart shows, in words: the text alternative of its image and its SVG description. */
  public static String describe(Days days, AuditIndex.GroupBy by, List<DayCount> counts) {
    Map<String, Long> totals = totals(counts);
    long all = totals.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder s = new StringBuilder("Bar chart of requests per day by ").append(noun(by)).append(", ")
        .append(days.first()).append(" to ").append(days.last()).append(" (UTC): ").append(all)
        .append(all == 1 ? " request" : " requests");
    if (!totals.isEmpty()) {
      s.append(" (");
      int i = 0;
      for (Map.Entry<String, Long> e : totals.entrySet()) {
        if (i++ > 0) s.append(", ");
        if (i > 8) {
          s.append("and ").append(totals.size() - 8).append(" more");
          break;
        }
        s.append(e.getKey()).append(' ').append(e.getValue());
      }
      s.append(')');
    }
    return s.append('.').toString();
  }

  /** The chart as an SVG document. */
  public static String svg(Days days, AuditIndex.GroupBy by, List<DayCount> counts) {
    SvgCharts.BarChart chart = SvgCharts.perDay("Requests per day by " + noun(by), describe(days, by, counts),
        days.first(), days.last(), counts);
    return SvgCharts.render(chart, SvgCharts.Layout.STACKED);
  }

  public static String noun(AuditIndex.GroupBy by) {
    return by == AuditIndex.GroupBy.MODEL ? "model" : "app";
  }
}
