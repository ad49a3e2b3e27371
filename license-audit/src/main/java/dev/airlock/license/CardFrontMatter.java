package dev.airlock.license;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The license-related fields of a model card's YAML front matter ({@code license},
 * {@code license_name}, {@code license_link}, {@code base_model}, {@code base_model_relation},
 * {@code tags}), each value with its line and column in the card file.
 */
final class CardFrontMatter {
  /** A value from the card and where it is (1-based, in the card file, not the front matter). */
  record Value(String text, Position.LineColumn position) {}

  /** The fields, or why the front matter could not be read. */
  sealed interface Result {
    record Fields(Map<String, List<Value>> fields) implements Result {
      List<Value> get(String key) {
        return fields.getOrDefault(key, List.of());
      }

      Optional<Value> first(String key) {
        return get(key).stream().findFirst();
      }
    }

    record NoFrontMatter() implements Result {}

    record Broken(String message, Position.LineColumn position) implements Result {}
  }

  /** Keys read; the rest of the card is not Airlock's business here. */
  private static final List<String> KEYS =
      List.of("license", "license_name", "license_link", "base_model", "base_model_relation", "tags");

  /** Card front matter beyond this is not a card: reading stops there. */
  private static final int MAX_FRONT_MATTER_CHARS = 256 * 1024;

  private CardFrontMatter() {}

  static Result read(String card) {
    if (!(card.startsWith("---\n") || card.startsWith("---\r\n"))) return new Result.NoFrontMatter();
    int start = card.indexOf('\n') + 1;
    int end = findClosing(card, start);
    if (end < 0) return new Result.Broken("the front matter opened with '---' on line 1 is never closed by a '---' line", new Position.LineColumn(1, 1));
    String yaml = card.substring(start, end);
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    options.setCodePointLimit(MAX_FRONT_MATTER_CHARS);
    Node root;
    try {
      root = new Yaml(options).compose(new java.io.StringReader(yaml));
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark();
      Position.LineColumn at = m == null ? new Position.LineColumn(2, 1) : new Position.LineColumn(m.getLine() + 2, m.getColumn() + 1);
      return new Result.Broken("the front matter is not valid YAML: " + e.getProblem(), at);
    } catch (RuntimeException e) {
      return new Result.Broken("the front matter is not valid YAML: " + e.getMessage(), new Position.LineColumn(2, 1));
    }
    if (root == null) return new Result.Fields(Map.of());
    if (!(root instanceof MappingNode map)) {
      return new Result.Broken("the front matter is not a mapping of keys to values", at(root));
    }
    Map<String, List<Value>> fields = new LinkedHashMap<>();
    for (NodeTuple t : map.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k) || !KEYS.contains(k.getValue())) continue;
      List<Value> values = new ArrayList<>();
      collect(t.getValueNode(), values);
      fields.put(k.getValue(), values);
    }
    return new Result.Fields(fields);
  }

  private static void collect(Node node, List<Value> out) {
    if (node instanceof ScalarNode s) {
      if (!s.getValue().isBlank() && !s.getValue().equals("null") && !s.getValue().equals("~")) {
        out.add(new Value(s.getValue(), at(s)));
      }
    } else if (node instanceof SequenceNode seq) {
      for (Node n : seq.getValue()) collect(n, out);
    }
  }

  /** Front matter starts on line 2 of the card (line 1 is the opening '---'). */
  private static Position.LineColumn at(Node n) {
    Mark m = n.getStartMark();
    return new Position.LineColumn(m.getLine() + 2, m.getColumn() + 1);
  }

  private static int findClosing(String card, int from) {
    int i = from;
    while (i < card.length() && i < MAX_FRONT_MATTER_CHARS) {
      int nl = card.indexOf('\n', i);
      String line = (nl < 0 ? card.substring(i) : card.substring(i, nl)).stripTrailing();
      if (line.equals("---") || line.equals("...")) return i;
      if (nl < 0) return -1;
      i = nl + 1;
    }
    return -1;
  }
}
