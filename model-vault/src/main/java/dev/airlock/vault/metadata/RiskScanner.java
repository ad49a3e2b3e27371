package dev.airlock.vault.metadata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds content that runs code on load: pickle files (by extension and by their first bytes, so a
 * renamed pickle is caught too), Python files, and configs that need {@code trust_remote_code}.
 * Reads at most {@link #SNIFF_BYTES} of each file.
 */
public final class RiskScanner {
  /** Enough for the pickle opcode header and a zip's first entry name. */
  static final int SNIFF_BYTES = 512;

  /** Model directories are shallow; deeper trees are still scanned this far. */
  private static final int MAX_DEPTH = 16;

  /** Extensions PyTorch and friends use for pickled objects. */
  private static final Set<String> PICKLE_EXTENSIONS =
      Set.of("bin", "pt", "pth", "pkl", "pickle", "ckpt", "joblib");

  /** Configs whose {@code auto_map} points loaders at custom code. */
  private static final List<String> AUTO_MAP_FILES =
      List.of("config.json", "tokenizer_config.json", "processor_config.json", "preprocessor_config.json");

  private RiskScanner() {}

  /** Scans every regular file under {@code modelDir} (symbolic links are not followed). */
  public static List<RiskFinding> scan(Path modelDir) throws IOException {
    List<RiskFinding> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(modelDir, MAX_DEPTH, new FileVisitOption[0])) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    for (Path f : files) {
      String name = modelDir.relativize(f).toString().replace('\\', '/');
      String ext = extension(f);
      byte[] head = sniff(f);
      String magic = pickleMagic(head);
      if (PICKLE_EXTENSIONS.contains(ext)) {
        out.add(new RiskFinding(
            RiskKind.PICKLE_WEIGHTS, name,
            "." + ext + " is a Python pickle format" + (magic.isEmpty() ? "" : " (" + magic + ")")
                + "; loading it can run arbitrary code. Use the safetensors or GGUF weights instead"));
      } else if (!magic.isEmpty()) {
        out.add(new RiskFinding(
            RiskKind.PICKLE_WEIGHTS, name,
            "is a Python pickle despite its name (" + magic + "); loading it can run arbitrary code"));
      }
      if (ext.equals("py")) {
        out.add(new RiskFinding(RiskKind.PYTHON_CODE, name, "is Python source shipped with the model; it runs if a loader imports it"));
      }
    }
    for (String cfg : AUTO_MAP_FILES) {
      Path p = modelDir.resolve(cfg);
      if (Files.isRegularFile(p)) out.addAll(autoMapFindings(p, cfg));
    }
    return out;
  }

  private static List<RiskFinding> autoMapFindings(Path file, String name) throws IOException {
    ObjectNode root = BoundedJson.readObject(file, name, ModelConfigReader.MAX_CONFIG_BYTES, "a JSON config");
    JsonNode am = root.get("auto_map");
    List<RiskFinding> out = new ArrayList<>();
    if (am != null && am.isObject() && !am.isEmpty()) {
      List<String> refs = new ArrayList<>();
      for (Map.Entry<String, JsonNode> e : am.properties()) refs.add(e.getKey() + " -> " + e.getValue());
      out.add(new RiskFinding(
          RiskKind.REMOTE_CODE, name,
          "auto_map names custom code (" + String.join(", ", refs)
              + "); loading it needs trust_remote_code, which Airlock never enables"));
    }
    return out;
  }

  /** Describes a pickle signature in {@code head}, or "" if none is found. */
  static String pickleMagic(byte[] head) {
    // Protocol 2 and later start with the PROTO opcode 0x80 and the protocol number.
    if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
      return "pickle protocol " + head[1] + " header";
    }
    // torch.save's zip format: the first entry is <archive>/data.pkl.
    if (head.length >= 30 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
      int nameLength = (head[26] & 0xff) | (head[27] & 0xff) << 8;
      int end = Math.min(head.length, 30 + nameLength);
      String first = new String(head, 30, Math.max(0, end - 30), StandardCharsets.ISO_8859_1);
      if (first.endsWith(".pkl")) return "a PyTorch zip archive holding " + first;
    }
    return "";
  }

  private static byte[] sniff(Path f) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      return in.readNBytes(SNIFF_BYTES);
    }
  }

  private static String extension(Path f) {
    String n = f.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
