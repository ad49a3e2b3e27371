package dev.airlock.server.auditing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.index.DayCount;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgChartsTest {
  static final LocalDate D1 = LocalDate.parse("2026-11-01");
  static final LocalDate D3 = LocalDate.parse("2026-11-03");

  /** Two models over three days; the second day has no "m<b>&</b>" requests, the third none at all. */
  static final List<DayCount> COUNTS = List.of(
      new DayCount(D1, "llama-3", 5), new DayCount(D1, "m<b>&</b>", 2), new DayCount(D1.plusDays(1), "llama-3", 8));

  static Document parse(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  static List<Element> bars(Document doc) {
    List<Element> out = new ArrayList<>();
    NodeList rects = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
    for (int i = 0; i < rects.getLength(); i++) {
      Element e = (Element) rects.item(i);
      if ("bar".equals(e.getAttribute("class"))) {
        out.add(e);
      }
    }
    return out;
  }

  static List<String> texts(Document doc) {
    List<String> out = new ArrayList<>();
    NodeList t = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
    for (int i = 0; i < t.getLength(); i++) {
      out.add(t.item(i).getTextContent());
    }
    return out;
  }

  @Test
  void stackedChartOfKnownCountsIsWellFormedAccessibleSvg() throws Exception {
    SvgCharts.BarChart chart = SvgCharts.perDay("Requests per day & model", "Requests <by> model, 1-3 Nov",
        D1, D3, COUNTS);
    String svg = SvgCharts.render(chart, SvgCharts.Layout.STACKED);
    Document doc = parse(svg);
    Element root = doc.getDocumentElement();
    assertThat(root.getLocalName()).isEqualTo("svg");
    assertThat(root.getAttribute("role")).isEqualTo("img");
    assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title").item(0).getTextContent())
        .isEqualTo("Requests per day & model");
    assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "desc").item(0).getTextContent())
        .isEqualTo("Requests <by> model, 1-3 Nov");
    // One bar per non-zero value, each telling its series, day and value.
    assertThat(bars(doc)).extracting(b -> b.getAttribute("data-series") + "|" + b.getAttribute("data-category") + "|"
        + b.getAttribute("data-value")).containsExactlyInAnyOrder(
            "llama-3|2026-11-01|5", "m<b>&</b>|2026-11-01|2", "llama-3|2026-11-02|8");
    // Day labels, legend entries (largest series first) and the y-axis top (10 is the nice ceiling of 8).
    assertThat(texts(doc)).contains("2026-11-01", "2026-11-02", "2026-11-03", "llama-3", "m<b>&</b>", "10");
    assertThat(texts(doc).indexOf("llama-3")).isLessThan(texts(doc).indexOf("m<b>&</b>"));
    // Stacked: on day 1 the second series sits right on top of the first.
    Element first = bars(doc).get(0);
    Element second = bars(doc).get(1);
    assertThat(Double.parseDouble(second.getAttribute("y")) + Double.parseDouble(second.getAttribute("height")))
        .isCloseTo(Double.parseDouble(first.getAttribute("y")), org.assertj.core.data.Offset.offset(0.2));
    assertThat(svg).doesNotContain("<script").doesNotContain("m<b>");
  }

  @Test
  void groupedChartPlacesSeriesSideBySide() throws Exception {
    SvgCharts.BarChart chart = new SvgCharts.BarChart("t", "d", List.of("a", "b"),
        List.of(new SvgCharts.Series("x", List.of(3L, 1L)), new SvgCharts.Series("y", List.of(3L, 0L))));
    Document doc = parse(SvgCharts.render(chart, SvgCharts.Layout.GROUPED));
    List<Element> bars = bars(doc);
    assertThat(bars).hasSize(3);
    // Same value, same height and baseline, different x.
    assertThat(bars.get(0).getAttribute("height")).isEqualTo(bars.get(1).getAttribute("height"));
    assertThat(bars.get(0).getAttribute("y")).isEqualTo(bars.get(1).getAttribute("y"));
    assertThat(bars.get(0).getAttribute("x")).isNotEqualTo(bars.get(1).getAttribute("x"));
    assertThat(bars.get(0).getAttribute("fill")).isNotEqualTo(bars.get(1).getAttribute("fill"));
  }

  @Test
  void emptyRangeSaysSoAndManyGroupsFoldIntoOther() throws Exception {
    Document empty = parse(SvgCharts.render(SvgCharts.perDay("t", "d", D1, D3, List.of()), SvgCharts.Layout.STACKED));
    assertThat(bars(empty)).isEmpty();
    assertThat(texts(empty)).contains("No data in this range");

    List<DayCount> many = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      many.add(new DayCount(D1, "app-" + i, 100 - i));
    }
    SvgCharts.BarChart chart = SvgCharts.perDay("t", "d", D1, D1, many);
    assertThat(chart.series()).hasSize(SvgCharts.MAX_SERIES);
    assertThat(chart.series().get(SvgCharts.MAX_SERIES - 1).name()).isEqualTo("other");
    assertThat(chart.series().get(SvgCharts.MAX_SERIES - 1).values()).containsExactly(93L + 92 + 91 + 90 + 89);
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> SvgCharts.perDay("t", "d", D3, D1, COUNTS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a per-day chart covers 1 to 366 days");
    assertThatThrownBy(() -> new SvgCharts.Series("s", List.of(-1L)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bar values must be >= 0");
    assertThatThrownBy(() -> new SvgCharts.BarChart("t", "d", List.of("a"), List.of(new SvgCharts.Series("s", List.of()))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 0 values for 1 categories");
  }

  @Test
  void axisTicksAreWholeEvenlySpacedCounts() {
    for (long top : new long[] {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}) {
      int steps = SvgCharts.steps(top);
      org.assertj.core.api.Assertions.assertThat(top % steps).as("top %d in %d steps", top, steps).isZero();
      org.assertj.core.api.Assertions.assertThat(steps).isBetween(1, 5);
    }
    org.assertj.core.api.Assertions.assertThat(SvgCharts.steps(1)).isEqualTo(1);
    org.assertj.core.api.Assertions.assertThat(SvgCharts.steps(20)).isEqualTo(4);
  }
}
