package dev.airlock.vault.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.bundle.BundleRejectedException.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a bundle says about itself, signed by the organization's transfer key: which model, from
 * whom and where, and every file with its size and SHA-256. See docs/bundle-format.md.
 */
public record BundleManifest(
    int formatVersion,
    String bundleId,
    Instant created,
    String modelName,
    String modelVersion,
    String publisher,
    String originCountry,
    Optional<String> source,
    List<BundleFile> files) {

  /** The only format this build writes and reads. */
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

  public BundleManifest {
    requireText(bundleId, "bundleId");
    requireText(modelName, "model.name");
    requireText(modelVersion, "model.version");
    requireText(publisher, "publisher");
    requireCountry(originCountry);
    source = source == null ? Optional.empty() : source;
    files = List.copyOf(files);
    Set<String> seen = new HashSet<>();
    for (BundleFile f : files) {
      if (!seen.add(f.path())) {
        throw new BundleRejectedException(Problem.DUPLICATE_ENTRY,
            "the manifest declares '" + f.path() + "' twice; each path must appear once");
      }
    }
  }

  /** Total bytes of all declared files. */
  public long totalBytes() {
    return files.stream().mapToLong(BundleFile::size).sum();
  }

  public Optional<BundleFile> file(String path) {
    return files.stream().filter(f -> f.path().equals(path)).findFirst();
  }

  /** ISO 3166-1 alpha-2, upper case: what {@code --origin-country} and the manifest accept. */
  public static String requireCountry(String code) {
    if (code == null || !COUNTRIES.contains(code)) {
      throw new IllegalArgumentException("origin country must be an ISO 3166-1 alpha-2 code in"
          + " upper case, such as FR, US or CN; got '" + code + "'");
    }
    return code;
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("the manifest field '" + field + "' must not be empty");
    }
  }

  /** The manifest as written into a bundle: UTF-8 JSON, fields in a fixed order. */
  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("formatVersion", formatVersion);
    root.put("bundleId", bundleId);
    root.put("created", created.toString());
    ObjectNode model = root.putObject("model");
    model.put("name", modelName);
    model.put("version", modelVersion);
    root.put("publisher", publisher);
    root.put("originCountry", originCountry);
    source.ifPresent(s -> root.put("source", s));
    ArrayNode list = root.putArray("files");
    for (BundleFile f : files) {
      ObjectNode n = list.addObject();
      n.put("path", f.path());
      n.put("size", f.size());
      n.put("sha256", f.sha256().hex());
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a manifest always serializes", e);
    }
  }

  /** Parses a manifest, refusing anything this format version does not define. */
  public static BundleManifest parse(byte[] json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw notABundle("the manifest is not valid JSON (" + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + ")");
    }
    if (root == null || !root.isObject()) throw notABundle("the manifest is not a JSON object");
    JsonNode version = root.get("formatVersion");
    if (version == null || !version.canConvertToInt()) {
      throw notABundle("the manifest has no formatVersion");
    }
    if (version.intValue() != FORMAT_VERSION) {
      throw new BundleRejectedException(Problem.NOT_A_BUNDLE, "the bundle has format version "
          + version.intValue() + " but this Airlock reads version " + FORMAT_VERSION
          + "; use an Airlock release that reads it, or recreate the bundle with this one");
    }
    try {
      List<BundleFile> files = new ArrayList<>();
      JsonNode list = root.path("files");
      if (!list.isArray()) throw notABundle("the manifest has no 'files' list");
      for (JsonNode n : list) {
        JsonNode size = n.path("size");
        if (!size.canConvertToLong() || !size.isIntegralNumber()) {
          throw notABundle("the manifest gives no integer size for '" + n.path("path").asText() + "'");
        }
        files.add(new BundleFile(text(n, "path"), size.longValue(), Sha256.parse(text(n, "sha256"))));
      }
      JsonNode model = root.path("model");
      return new BundleManifest(FORMAT_VERSION, text(root, "bundleId"),
          Instant.parse(text(root, "created")), text(model, "name"), text(model, "version"),
          text(root, "publisher"), text(root, "originCountry"),
          Optional.ofNullable(root.get("source")).map(JsonNode::asText), files);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw notABundle("the manifest is malformed: " + e.getMessage());
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("the field '" + field + "' is missing or not a string");
    }
    return v.asText();
  }

  private static BundleRejectedException notABundle(String why) {
    return new BundleRejectedException(Problem.NOT_A_BUNDLE,
        why + ". This is not an Airlock bundle manifest; create bundles with 'airlock bundle create'.");
  }

  @Override
  public String toString() {
    return new String(toJson(), StandardCharsets.UTF_8);
  }
}
