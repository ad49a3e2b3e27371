package dev.airlock.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Draws a license report's lineage as a self-contained SVG: a box for the reviewed model with its
 * effective licenses, a box under it for each base model with its family's license, and an arrow
 * from the model to each base labelled with the relation (fine-tune, quantization, ...). Only
 * presentation attributes, no styles or scripts, every text XML-escaped; {@code <title>} and
 * {@code <desc>} say the same in words for assistive technology.
 */
public final class LineageSvg {
  static final int BOX_W = 300;
  static final int BOX_H = 64;
  static final int GAP = 24;
  static final int TOP = 16;
  static final int ROW_GAP = 84;
  static final int MAX_CHARS = 40;

  private LineageSvg() {}

  static final int LINE = 20;

  /** One box: a title line and a line per license. */
  record Box(String title, List<String> licenses) {
    int height() {
      return BOX_H + LINE * (Math.max(1, licenses.size()) - 1);
    }

    String license() {
      return String.join(", ", licenses);
    }
  }

  public static String draw(JsonNode report, String modelName) {
    Set<String> licenses = new LinkedHashSet<>();
    for (JsonNode l : report.path("effective_licenses")) licenses.add(readable(l.path("id").asText(), l.path("name").asText()));
    Box root = new Box(modelName, licenses.isEmpty() ? List.of("no license found") : List.copyOf(licenses));
    List<Box> bases = new ArrayList<>();
    List<String> relations = new ArrayList<>();
    for (JsonNode l : report.path("lineage")) {
      JsonNode family = l.path("family");
      String license = family.isObject()
          ? readable(family.path("license").asText(), family.path("name").asText() + " license")
          : "family not recognised";
      bases.add(new Box(l.path("model").asText(), List.of(license)));
      relations.add(l.path("relation").asText().replace('_', '-'));
    }
    int columns = Math.max(1, bases.size());
    int width = columns * BOX_W + (columns + 1) * GAP;
    int rootH = root.height();
    int baseH = bases.stream().mapToInt(Box::height).max().orElse(BOX_H);
    int height = TOP + rootH + (bases.isEmpty() ? TOP + 24 : ROW_GAP + baseH + TOP);
    StringBuilder desc = new StringBuilder(modelName + ", licensed " + root.license() + ".");
    if (bases.isEmpty()) desc.append(" No base model is declared.");
    for (int i = 0; i < bases.size(); i++) {
      desc.append(" It is a ").append(relations.get(i)).append(" of ").append(bases.get(i).title())
          .append(", licensed ").append(bases.get(i).license()).append('.');
    }
    StringBuilder svg = new StringBuilder();
    svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"t d\" width=\"").append(width)
        .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
        .append("\" font-family=\"system-ui, sans-serif\" font-size=\"13\">\n")
        .append("<title id=\"t\">License lineage of ").append(xml(modelName)).append("</title>\n")
        .append("<desc id=\"d\">").append(xml(desc.toString())).append("</desc>\n")
        .append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\""
            + " orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#1f4e5f\"/></marker></defs>\n")
        .append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    int rootX = (width - BOX_W) / 2;
    box(svg, root, rootX, TOP, true);
    if (bases.isEmpty()) {
      svg.append("<text x=\"").append(width / 2).append("\" y=\"").append(TOP + rootH + 28)
          .append("\" text-anchor=\"middle\" fill=\"#4d5b5e\">No base model declared</text>\n");
    }
    int baseY = TOP + rootH + ROW_GAP;
    for (int i = 0; i < bases.size(); i++) {
      int x = GAP + i * (BOX_W + GAP);
      box(svg, bases.get(i), x, baseY, false);
      int x1 = rootX + BOX_W / 2;
      int y1 = TOP + rootH;
      int x2 = x + BOX_W / 2;
      int y2 = baseY;
      svg.append("<line x1=\"").append(x1).append("\" y1=\"").append(y1).append("\" x2=\"").append(x2).append("\" y2=\"")
          .append(y2).append("\" stroke=\"#1f4e5f\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>\n");
      svg.append("<text x=\"").append((x1 + x2) / 2 + 6).append("\" y=\"").append((y1 + y2) / 2 + 4)
          .append("\" fill=\"#1b2426\" font-style=\"italic\">").append(xml(relations.get(i) + " of")).append("</text>\n");
    }
    return svg.append("</svg>\n").toString();
  }

  private static void box(StringBuilder svg, Box b, int x, int y, boolean main) {
    svg.append("<g><rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(BOX_W)
        .append("\" height=\"").append(b.height()).append("\" rx=\"8\" fill=\"").append(main ? "#e6f0f3" : "#f5f7f7")
        .append("\" stroke=\"").append(main ? "#1f4e5f" : "#8a9a9d").append("\" stroke-width=\"").append(main ? 2 : 1)
        .append("\"/>\n<text x=\"").append(x + 12).append("\" y=\"").append(y + 26).append("\" font-weight=\"bold\" fill=\"#1b2426\">")
        .append(xml(fit(b.title()))).append("</text>\n");
    for (int i = 0; i < b.licenses().size(); i++) {
      svg.append("<text x=\"").append(x + 12).append("\" y=\"").append(y + 48 + i * LINE).append("\" fill=\"#4d5b5e\">")
          .append(xml(fit(b.licenses().get(i)))).append("</text>\n");
    }
    svg.append("</g>\n");
  }

  /** SPDX ids as they are; LicenseRef-... ids (long and opaque) by their name. */
  static String readable(String id, String name) {
    return id.startsWith("LicenseRef-") && !name.isBlank() ? name : id;
  }

  private static String fit(String s) {
    return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS - 1) + "\u2026";
  }

  /** Text and attribute content for XML: the five predefined entities, control characters dropped. */
  static String xml(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        default -> {
          if (c >= 0x20 || c == '\n' || c == '\t') out.append(c);
        }
      }
    }
    return out.toString();
  }
}
