package dev.airlock.vault.metadata;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a model card's YAML front matter with line numbers. SnakeYAML's node tree (composed, never
 * constructed into objects) keeps each value's position, which is the evidence a reviewer needs.
 */
public final class ModelCardReader {
  /** Front matter sits at the top; cards are rarely over 100 KB, so this reads all of any real one. */
  public static final int MAX_READ_BYTES = 1 << 20;

  /** A billion-laughs document is refused long before it expands. */
  private static final int MAX_ALIASES = 20;

  private ModelCardReader() {}

  /** Reads {@code file}, naming it by its file name in messages and evidence. */
  public static ModelCard read(Path file) throws IOException {
    return read(file, String.valueOf(file.getFileName()));
  }

  public static ModelCard read(Path file, String displayName) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ModelFileException(displayName, "no such model card; check the path");
    }
    byte[] bytes;
    boolean cut;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_READ_BYTES);
      cut = in.read() != -1;
    }
    return parse(bytes, cut, displayName);
  }

  /** Parses card text given as bytes (tests and bundle readers that hold the card in memory). */
  public static ModelCard parse(byte[] bytes, String displayName) throws ModelFileException {
    return parse(bytes, false, displayName);
  }

  private static ModelCard parse(byte[] bytes, boolean cut, String file) throws ModelFileException {
    int length = bytes.length;
    if (cut) {
      // Cut back to the last newline so a multi-byte character split by the cap is not junk.
      while (length > 0 && bytes[length - 1] != '\n') length--;
    }
    String text = decode(bytes, length, file);
    if (text.startsWith("\uFEFF")) text = text.substring(1);
    String[] lines = text.split("\r?\n", -1);
    if (lines.length == 0 || !lines[0].strip().equals("---")) {
      return ModelCard.empty(file);
    }
    int end = -1;
    for (int i = 1; i < lines.length; i++) {
      String l = lines[i].stripTrailing();
      if (l.equals("---") || l.equals("...")) {
        end = i;
        break;
      }
    }
    if (end < 0) {
      throw new ModelFileException(
          file,
          "front matter opened with '---' on line 1 is never closed"
              + (cut ? " within the first " + MAX_READ_BYTES + " bytes" : "")
              + "; end it with a '---' line");
    }
    StringBuilder yamlText = new StringBuilder();
    for (int i = 1; i < end; i++) yamlText.append(lines[i]).append('\n');
    Node root = compose(yamlText.toString(), file);
    if (root == null) return new ModelCard(file, true, Map.of());
    if (!(root instanceof MappingNode mapping)) {
      throw new ModelFileException(
          file, "front matter at line 2 must be a YAML mapping (key: value lines), found a " + kind(root));
    }
    Map<String, List<CardField>> fields = new LinkedHashMap<>();
    Map<String, Integer> firstLine = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) continue;
      String key = keyNode.getValue();
      int keyLine = lineOf(keyNode);
      Integer previous = firstLine.putIfAbsent(key, keyLine);
      if (previous != null) {
        throw new ModelFileException(
            file, "front matter declares '" + key + "' twice (lines " + previous + " and " + keyLine + "); keep one");
      }
      List<CardField> values = new ArrayList<>();
      Node valueNode = tuple.getValueNode();
      if (valueNode instanceof ScalarNode s) {
        if (!isNull(s)) values.add(field(file, key, s, lines));
      } else if (valueNode instanceof SequenceNode seq) {
        for (Node item : seq.getValue()) {
          if (item instanceof ScalarNode s && !isNull(s)) values.add(field(file, key, s, lines));
        }
      }
      if (!values.isEmpty()) fields.put(key, values);
    }
    return new ModelCard(file, true, fields);
  }

  private static Node compose(String yaml, String file) throws ModelFileException {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setAllowRecursiveKeys(false);
    try {
      return new Yaml(new SafeConstructor(options)).compose(new StringReader(yaml));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 2 : e.getProblemMark().getLine() + 2;
      int column = e.getProblemMark() == null ? 1 : e.getProblemMark().getColumn() + 1;
      throw new ModelFileException(
          file,
          "front matter is not valid YAML at line " + line + ", column " + column + ": "
              + e.getProblem() + "; fix the YAML between the '---' lines",
          e);
    } catch (YAMLException e) {
      throw new ModelFileException(file, "front matter is not valid YAML: " + e.getMessage(), e);
    }
  }

  /** File line (1-based) of a node: line 1 is the opening '---', the YAML starts on line 2. */
  private static int lineOf(Node node) {
    return node.getStartMark().getLine() + 2;
  }

  private static CardField field(String file, String key, ScalarNode node, String[] lines) {
    int line = lineOf(node);
    String excerpt = line - 1 < lines.length ? lines[line - 1].strip() : node.getValue();
    return new CardField(key, node.getValue().strip(), Evidence.atLine(file, line, excerpt));
  }

  private static boolean isNull(ScalarNode node) {
    return node.getTag().equals(Tag.NULL) || node.getValue().isBlank();
  }

  private static String kind(Node node) {
    return switch (node.getNodeId()) {
      case scalar -> "plain value";
      case sequence -> "list";
      default -> node.getNodeId().name();
    };
  }

  private static String decode(byte[] bytes, int length, String file) throws ModelFileException {
    for (int i = 0; i < length; i++) {
      if (bytes[i] == 0) {
        throw new ModelFileException(
            file, "contains a NUL byte at offset " + i + ": it is binary, not a Markdown model card; replace it with the card's text");
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ModelFileException(
          file, "is not UTF-8 text, so it is not a Markdown model card; replace it with the card's text");
    }
  }
}
