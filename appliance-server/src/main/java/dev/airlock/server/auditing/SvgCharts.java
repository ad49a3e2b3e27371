package dev.airlock.server.auditing;

import dev.airlock.audit.index.DayCount;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Bar charts drawn on the server as standalone SVG (no script): a title and description for
 * screen readers ({@code <title>}, {@code <desc>}, {@code role="img"}), a text label per category
 * and axis tick, a legend, a tooltip ({@code <title>}) per bar with its exact value, and the
 * Okabe-Ito palette, which stays distinguishable with the common colour-vision deficiencies. All
 * text is XML-escaped.
 */
public final class SvgCharts {
  /** How series share a category: on top of each other, or side by side. */
  public enum Layout {
    STACKED,
    GROUPED
  }

  /** Okabe-Ito colours, readable on white and for colour-blind readers; series beyond them cycle. */
  static final List<String> PALETTE =
      List.of("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000");

  /** Most series a per-day chart shows; the rest are summed into {@link #OTHER}. */
  public static final int MAX_SERIES = PALETTE.size();

  /** Longest range a per-day chart draws: one bar group per day stays readable up to a year. */
  public static final int MAX_DAYS = 366;

  static final String OTHER = "other";

  static final int WIDTH = 880;
  static final int HEIGHT = 420;
  static final int LEFT = 64;
  static final int RIGHT = 180;
  static final int TOP = 48;
  static final int BOTTOM = 72;

  /**
   * One named row of values, one per category.
   *
   * @param name shown in the legend
   * @param values non-negative, one per category
   */
  public record Series(String name, List<Long> values) {
    public Series {
      Objects.requireNonNull(name, "name");
      values = List.copyOf(values);
      for (long v : values) {
        if (v < 0) {
          throw new IllegalArgumentException("bar values must be >= 0, series '" + name + "' has " + v);
        }
      }
    }
  }

  /**
   * What to draw.
   *
   * @param title the chart's title (also its accessible name)
   * @param description a sentence saying what it shows (its accessible description)
   * @param categories x-axis labels
   * @param series each with one value per category
   */
  public record BarChart(String title, String description, List<String> categories, List<Series> series) {
    public BarChart {
      Objects.requireNonNull(title, "title");
      Objects.requireNonNull(description, "description");
      categories = List.copyOf(categories);
      series = List.copyOf(series);
      for (Series s : series) {
        if (s.values().size() != categories.size()) {
          throw new IllegalArgumentException("series '" + s.name() + "' has " + s.values().size() + " values for "
              + categories.size() + " categories");
        }
      }
    }
  }

  private SvgCharts() {}

  /**
   * A per-day chart of counts ({@link AuditSearch#requestsPerDay}): one category per day from
   * {@code first} to {@code last} inclusive (days without entries show 0), one series per group,
   * the {@value #MAX_SERIES} largest kept and the rest summed as "other".
   */
  public static BarChart perDay(String title, String description, LocalDate first, LocalDate last,
      List<DayCount> counts) {
    long days = ChronoUnit.DAYS.between(first, last) + 1;
    if (days < 1 || days > MAX_DAYS) {
      throw new IllegalArgumentException("a per-day chart covers 1 to " + MAX_DAYS + " days, got " + first + " to "
          + last);
    }
    Map<String, long[]> byGroup = new TreeMap<>();
    Map<String, Long> totals = new TreeMap<>();
    for (DayCount c : counts) {
      long d = ChronoUnit.DAYS.between(first, c.day());
      if (d < 0 || d >= days) {
        continue;
      }
      String g = c.group().isEmpty() ? "(none)" : c.group();
      byGroup.computeIfAbsent(g, k -> new long[(int) days])[(int) d] += c.count();
      totals.merge(g, c.count(), Long::sum);
    }
    List<String> order = new ArrayList<>(totals.keySet());
    order.sort(Comparator.comparing((String g) -> -totals.get(g)).thenComparing(Comparator.naturalOrder()));
    Map<String, long[]> kept = new LinkedHashMap<>();
    for (int i = 0; i < order.size(); i++) {
      String g = order.get(i);
      if (i < MAX_SERIES - 1 || order.size() == MAX_SERIES) {
        kept.put(g, byGroup.get(g));
      } else {
        long[] other = kept.computeIfAbsent(OTHER, k -> new long[(int) days]);
        long[] v = byGroup.get(g);
        for (int d = 0; d < days; d++) {
          other[d] += v[d];
        }
      }
    }
    List<String> categories = new ArrayList<>();
    for (long d = 0; d < days; d++) {
      categories.add(first.plusDays(d).toString());
    }
    List<Series> series = new ArrayList<>();
    kept.forEach((g, v) -> series.add(new Series(g, java.util.Arrays.stream(v).boxed().toList())));
    return new BarChart(title, description, categories, series);
  }

  /** The chart as a standalone SVG document (UTF-8 text, no XML declaration needed). */
  public static String render(BarChart chart, Layout layout) {
    int n = chart.categories().size();
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    long max = 0;
    for (int c = 0; c < n; c++) {
      long stack = 0;
      for (Series s : chart.series()) {
        long v = s.values().get(c);
        stack += v;
        max = Math.max(max, v);
      }
      if (layout == Layout.STACKED) {
        max = Math.max(max, stack);
      }
    }
    long top = niceCeiling(max);
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
        .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" font-family=\"sans-serif\" font-size=\"12\">\n");
    svg.append("<title id=\"chart-title\">").append(escape(chart.title())).append("</title>\n");
    svg.append("<desc id=\"chart-desc\">").append(escape(chart.description())).append("</desc>\n");
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    svg.append("<text x=\"").append(LEFT).append("\" y=\"24\" font-size=\"16\" font-weight=\"bold\" fill=\"#1a1a1a\">")
        .append(escape(chart.title())).append("</text>\n");
    // Y axis: ticks at whole, evenly spaced counts.
    svg.append("<g class=\"y-axis\" fill=\"#1a1a1a\">\n");
    int steps = steps(top);
    for (int t = 0; t <= steps; t++) {
      long value = top * t / steps;
      double y = TOP + plotH - (double) plotH * t / steps;
      svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + plotW).append("\" y1=\"").append(fmt(y))
          .append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#d0d0d0\"/>\n");
      svg.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(fmt(y + 4)).append("\" text-anchor=\"end\">")
          .append(value).append("</text>\n");
    }
    svg.append("</g>\n");
    double slot = n == 0 ? plotW : (double) plotW / n;
    double barArea = slot * 0.8;
    int k = Math.max(1, chart.series().size());
    // Bars.
    svg.append("<g class=\"bars\">\n");
    for (int c = 0; c < n; c++) {
      double x0 = LEFT + slot * c + slot * 0.1;
      double base = TOP + plotH;
      for (int i = 0; i < chart.series().size(); i++) {
        Series s = chart.series().get(i);
        long v = s.values().get(c);
        double h = top == 0 ? 0 : (double) plotH * v / top;
        double x = layout == Layout.STACKED ? x0 : x0 + barArea / k * i;
        double w = layout == Layout.STACKED ? barArea : barArea / k;
        double y = layout == Layout.STACKED ? base - h : TOP + plotH - h;
        if (v > 0) {
          svg.append("<rect class=\"bar\" data-series=\"").append(escape(s.name())).append("\" data-category=\"")
              .append(escape(chart.categories().get(c))).append("\" data-value=\"").append(v).append("\" x=\"")
              .append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\" width=\"").append(fmt(w))
              .append("\" height=\"").append(fmt(h)).append("\" fill=\"").append(color(i)).append("\">")
              .append("<title>").append(escape(s.name() + ", " + chart.categories().get(c) + ": " + v))
              .append("</title></rect>\n");
        }
        if (layout == Layout.STACKED) {
          base -= h;
        }
      }
    }
    svg.append("</g>\n");
    // Category labels: every one when they fit, else every step-th, rotated.
    int step = (int) Math.max(1, Math.ceil(n / (plotW / 28.0)));
    svg.append("<g class=\"x-axis\" fill=\"#1a1a1a\">\n");
    for (int c = 0; c < n; c += step) {
      double x = LEFT + slot * c + slot / 2;
      double y = TOP + plotH + 14;
      svg.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y))
          .append("\" text-anchor=\"end\" transform=\"rotate(-40 ").append(fmt(x)).append(' ').append(fmt(y))
          .append(")\">").append(escape(chart.categories().get(c))).append("</text>\n");
    }
    svg.append("</g>\n");
    // Legend.
    svg.append("<g class=\"legend\" fill=\"#1a1a1a\">\n");
    for (int i = 0; i < chart.series().size(); i++) {
      int y = TOP + 20 * i;
      svg.append("<rect x=\"").append(WIDTH - RIGHT + 16).append("\" y=\"").append(y)
          .append("\" width=\"12\" height=\"12\" fill=\"").append(color(i)).append("\"/>\n");
      svg.append("<text x=\"").append(WIDTH - RIGHT + 34).append("\" y=\"").append(y + 10).append("\">")
          .append(escape(chart.series().get(i).name())).append("</text>\n");
    }
    svg.append("</g>\n");
    if (chart.series().isEmpty() || max == 0) {
      svg.append("<text x=\"").append(LEFT + plotW / 2).append("\" y=\"").append(TOP + plotH / 2)
          .append("\" text-anchor=\"middle\" fill=\"#1a1a1a\">No data in this range</text>\n");
    }
    return svg.append("</svg>\n").toString();
  }

  private static String color(int i) {
    return PALETTE.get(i % PALETTE.size());
  }

  /**
   * How many intervals to divide the axis up to {@code top} (1, 2 or 5 times a power of ten) into,
   * so that every tick is a whole count: 1 -> 1, 2 -> 2, 5 -> 5, 10 -> 5 (of 2), 20 -> 4 (of 5), 50 -> 5.
   */
  static int steps(long top) {
    if (top <= 5) return (int) Math.max(1, top);
    long lead = top;
    while (lead % 10 == 0) lead /= 10;
    return lead == 2 ? 4 : 5;
  }

  /** 1, 2 or 5 times a power of ten, at least {@code max} (and at least 1). */
  static long niceCeiling(long max) {
    long p = 1;
    while (true) {
      for (long m : new long[] {1, 2, 5}) {
        if (m * p >= max) {
          return Math.max(1, m * p);
        }
      }
      p *= 10;
    }
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  /** XML-escapes text and attribute values; drops characters XML 1.0 cannot carry. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> {
      switch (cp) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> {
          if (cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD)
              || cp >= 0x10000) {
            b.appendCodePoint(cp);
          }
        }
      }
    });
    return b.toString();
  }
}
