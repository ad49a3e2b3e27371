package dev.airlock.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.serialization.node.LocationJsonNodeFactoryFactory;
import com.networknt.schema.utils.JsonNodes;
import dev.airlock.license.LicenseCategory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads policy files: YAML, validated against the published JSON Schema ({@code
 * docs/policy.schema.json}), then checked for contradictions. Every problem is reported with the
 * line and column it sits at.
 *
 * <p>Jackson's YAML parser with networknt's location-aware node factory keeps the position of
 * every node, so a schema error (which names a JSON path) points back into the YAML text.
 */
public final class PolicyFile {
  /** The shipped packs, in {@code policies/packs/} and on the classpath under {@code packs/}. */
  public static final List<String> PACKS =
      List.of("permissive-only", "enterprise-default", "eu-public-sector");

  /** A policy is a page of rules; anything this large is not one, so it is refused unread. */
  static final long MAX_POLICY_BYTES = 1024 * 1024;

  private static final String SCHEMA_RESOURCE = "policy.schema.json";
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  private static final JsonSchema SCHEMA = loadSchema();

  private PolicyFile() {}

  /** Reads one of the shipped packs by name. */
  public static Policy pack(String name) {
    if (!PACKS.contains(name)) {
      throw new IllegalArgumentException(
          "no shipped policy pack named '" + name + "'; the packs are " + PACKS
              + ", or give the path of a policy file");
    }
    try (InputStream in = PolicyFile.class.getResourceAsStream("/packs/" + name + ".yaml")) {
      if (in == null) throw new IllegalStateException("pack " + name + " missing from the build");
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name + ".yaml");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InvalidPolicyException e) {
      throw new IllegalStateException("shipped pack " + name + " is invalid: " + e.getMessage(), e);
    }
  }

  /** Reads a policy file from disk. */
  public static Policy read(Path file) throws InvalidPolicyException, IOException {
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "no such policy file");
    }
    if (size > MAX_POLICY_BYTES) {
      throw new InvalidPolicyException(
          file.toString(),
          List.of(new PolicyProblem(1, 1, "",
              "the file is " + size + " bytes; a policy file is at most " + MAX_POLICY_BYTES
                  + " bytes. Is this the right file?")));
    }
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /** A pack name or a file path, as {@code --policy} takes it. */
  public static Policy resolve(String nameOrFile) throws InvalidPolicyException, IOException {
    if (PACKS.contains(nameOrFile)) return pack(nameOrFile);
    Path p = Path.of(nameOrFile);
    if (!Files.exists(p)) {
      throw new NoSuchFileException(nameOrFile, null,
          "neither a shipped policy pack " + PACKS + " nor an existing policy file");
    }
    return read(p);
  }

  /** Parses and validates policy text. {@code source} names it in messages. */
  public static Policy parse(String text, String source) throws InvalidPolicyException {
    JsonNode root;
    try {
      root = JsonNodes.readTree(YAML, text, LocationJsonNodeFactoryFactory.getInstance());
    } catch (RuntimeException e) {
      // JsonNodes wraps the parser's exception; its location is the YAML mark.
      Throwable cause = e.getCause() instanceof JsonProcessingException ? e.getCause() : e;
      throw new InvalidPolicyException(source, List.of(yamlProblem(cause)));
    }
    if (root == null || root.isMissingNode() || !root.isObject()) {
      JsonLocation at = location(root);
      throw new InvalidPolicyException(source, List.of(new PolicyProblem(
          line(at), column(at), "",
          "expected a mapping with format, name, description and rules (see docs/policies.md), found "
              + (root == null || root.isMissingNode() ? "an empty file"
                  : root.isArray() ? "a list" : "a single value"))));
    }
    List<PolicyProblem> problems = new ArrayList<>(schemaProblems(root));
    if (!problems.isEmpty()) throw new InvalidPolicyException(source, sorted(problems));

    List<Rule> rules = new ArrayList<>();
    int index = 0;
    for (JsonNode r : root.get("rules")) {
      toRule(r, "rules[" + index++ + "]", problems).ifPresent(rules::add);
    }
    problems.addAll(contradictions(root.get("rules")));
    if (!problems.isEmpty()) throw new InvalidPolicyException(source, sorted(problems));
    int approvals = root.has("approvals") ? root.get("approvals").asInt() : Policy.DEFAULT_APPROVALS;
    Policy.OnRegression onRegression = root.has("on_regression")
        ? Policy.OnRegression.parse(root.get("on_regression").asText()) : Policy.OnRegression.SUSPEND;
    return new Policy(root.get("name").asText(), root.get("description").asText(), approvals, onRegression, rules,
        text);
  }

  static PolicyProblem yamlProblem(Throwable e) {
    if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException y
        && y.getProblemMark() != null) {
      // SnakeYAML says what it expected and where the construct it was reading began.
      String context = y.getContext() == null || y.getContextMark() == null ? ""
          : " (" + y.getContext() + " that starts at line " + (y.getContextMark().getLine() + 1)
              + ", column " + (y.getContextMark().getColumn() + 1) + ")";
      return new PolicyProblem(y.getProblemMark().getLine() + 1, y.getProblemMark().getColumn() + 1,
          "", "not valid YAML: " + y.getProblem() + context);
    }
    if (e instanceof JsonProcessingException j) {
      JsonLocation at = j.getLocation();
      String message = j.getOriginalMessage();
      // The YAML parser's own message carries a second copy of the position; keep the first line.
      int nl = message.indexOf('\n');
      if (nl > 0) message = message.substring(0, nl);
      return new PolicyProblem(line(at), column(at), "", "not valid YAML: " + message.strip());
    }
    return new PolicyProblem(1, 1, "", "not valid YAML: " + e.getMessage());
  }

  private static List<PolicyProblem> schemaProblems(JsonNode root) {
    record Raw(ValidationMessage message, String path, JsonNode at) {}
    List<Raw> raw = new ArrayList<>();
    for (ValidationMessage m : SCHEMA.validate(root)) {
      JsonNode at = m.getInstanceNode();
      String path = yamlPath(m.getInstanceLocation());
      // For a key the schema does not know, point at that key's value, not at its mapping.
      if (isUnknownKey(m) && at != null && at.has(m.getProperty())) {
        at = at.get(m.getProperty());
        path = path.isEmpty() ? m.getProperty() : path + "." + m.getProperty();
      }
      raw.add(new Raw(m, path, at));
    }
    List<PolicyProblem> out = new ArrayList<>();
    Map<String, Raw> enumByPath = new HashMap<>();
    for (Raw r : raw) {
      // A rule kind's parameter that fails its own check is also "not evaluated" by the schema;
      // the specific complaint is the useful one.
      if (isUnknownKey(r.message())
          && raw.stream().anyMatch(o -> o != r && !isUnknownKey(o.message())
              && (o.path().equals(r.path()) || o.path().startsWith(r.path() + ".")
                  || o.path().startsWith(r.path() + "[")))) {
        continue;
      }
      // A verdict checked against both the general and the kind's narrower list: keep the
      // narrower, which says what this kind accepts.
      if ("enum".equals(r.message().getType())) {
        Raw seen = enumByPath.get(r.path());
        if (seen == null || r.message().getMessage().length() < seen.message().getMessage().length()) {
          enumByPath.put(r.path(), r);
        }
        continue;
      }
      out.add(problem(r.at(), r.path(), r.path().equals("approvals")
          ? approvalsMessage(r.at()) : schemaMessage(r.message())));
    }
    enumByPath.values().forEach(r -> out.add(problem(r.at(), r.path(), schemaMessage(r.message()))));
    return out;
  }

  /** One message whatever the validator disliked (type, minimum, maximum): what the key takes. */
  private static String approvalsMessage(JsonNode value) {
    return "approvals is how many different DPOs must approve a model: a whole number from "
        + Policy.MIN_APPROVALS + " to " + Policy.MAX_APPROVALS + ", found "
        + (value == null ? "nothing" : value.toString())
        + "; leave it out for " + Policy.DEFAULT_APPROVALS;
  }

  private static boolean isUnknownKey(ValidationMessage m) {
    return ("unevaluatedProperties".equals(m.getType()) || "additionalProperties".equals(m.getType()))
        && m.getProperty() != null;
  }

  private static PolicyProblem problem(JsonNode at, String path, String message) {
    JsonLocation loc = location(at);
    return new PolicyProblem(line(loc), column(loc), path, message);
  }

  /** The validator's message without its leading path, which the problem already carries. */
  private static String schemaMessage(ValidationMessage m) {
    String text = m.getMessage();
    int colon = text.indexOf(": ");
    if (colon >= 0 && text.startsWith(m.getInstanceLocation().toString())) {
      text = text.substring(colon + 2);
    }
    if (isUnknownKey(m)) {
      return "unknown key '" + m.getProperty() + "' for this place; see docs/policy.schema.json"
          + " for the keys a policy and each rule kind take";
    }
    return text;
  }

  /** {@code rules[2].verdict}: how a person reading the YAML would name the place. */
  private static String yamlPath(com.networknt.schema.JsonNodePath p) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < p.getNameCount(); i++) {
      Object e = p.getElement(i);
      if (e instanceof Integer n) b.append('[').append(n).append(']');
      else b.append(b.isEmpty() ? "" : ".").append(e);
    }
    return b.toString();
  }

  private static Optional<Rule> toRule(JsonNode r, String path, List<PolicyProblem> problems) {
    String kindName = r.get("kind").asText();
    RuleKind kind =
        switch (kindName) {
          case "license" -> new RuleKind.LicenseList(strings(r, "ids"), categories(r));
          case "unlisted-license" -> new RuleKind.UnlistedLicense();
          case "monthly-active-users" -> new RuleKind.MonthlyActiveUsers();
          case "commercial-use" -> new RuleKind.CommercialUse();
          case "eu-multimodal" -> new RuleKind.EuMultimodal();
          case "use-restrictions" -> new RuleKind.UseRestrictions();
          case "origin-country" -> new RuleKind.OriginCountry(strings(r, "countries"));
          case "eu-origin-required" -> new RuleKind.EuOriginRequired();
          case "unknown-origin" -> new RuleKind.UnknownOrigin();
          case "transfer-signature" -> new RuleKind.TransferSignature();
          case "publisher-signature" ->
              new RuleKind.PublisherSignature(List.copyOf(new TreeSet<>(strings(r, "trusted_publishers"))));
          case "sbom-required" -> new RuleKind.SbomRequired();
          case "pickle-weights" -> new RuleKind.PickleWeights();
          case "custom-code" -> new RuleKind.CustomCode();
          case "quantization" -> new RuleKind.Quantization(strings(r, "allowed"));
          case "hardware-fit" -> new RuleKind.HardwareFit();
          case "unresolved-lineage" -> new RuleKind.UnresolvedLineage();
          case "license-finding" -> findingCodes(r, path, problems);
          case "cel" -> cel(r.get("expression"), path, problems);
          // The schema's enum makes this unreachable; kept so a new kind fails loudly.
          default -> throw new IllegalStateException("rule kind '" + kindName + "' not built");
        };
    if (kind == null) return Optional.empty();
    return Optional.of(new Rule(
        r.get("id").asText(), r.get("description").asText(), kind,
        Verdict.valueOf(r.get("verdict").asText()), r.get("how_to_fix").asText(),
        line(location(r))));
  }

  /** Finding codes must be ones license-audit reports; a typo would make a rule that never fires. */
  private static RuleKind findingCodes(JsonNode r, String path, List<PolicyProblem> problems) {
    Set<String> known = new TreeSet<>();
    for (var c : dev.airlock.license.FindingCode.values()) known.add(c.id());
    JsonNode codes = r.get("codes");
    int i = 0;
    boolean ok = true;
    for (JsonNode c : codes) {
      if (!known.contains(c.asText())) {
        problems.add(problem(c, path + ".codes[" + i + "]", "unknown license-audit finding code '"
            + c.asText() + "'; the codes are " + known));
        ok = false;
      }
      i++;
    }
    return ok ? new RuleKind.LicenseFinding(strings(r, "codes")) : null;
  }

  private static RuleKind cel(JsonNode expression, String path, List<PolicyProblem> problems) {
    try {
      return new RuleKind.Cel(expression.asText(), CelCondition.compile(expression.asText()));
    } catch (CelCondition.CelProblems e) {
      JsonLocation at = location(expression);
      for (CelCondition.Problem p : e.problems) {
        problems.add(new PolicyProblem(line(at), column(at), path + ".expression",
            "CEL expression does not compile (at its line " + p.line() + ", column " + p.column()
                + "): " + p.message()));
      }
      return null;
    }
  }

  private static Set<String> strings(JsonNode r, String key) {
    Set<String> out = new TreeSet<>();
    JsonNode a = r.get(key);
    if (a != null) a.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Set<LicenseCategory> categories(JsonNode r) {
    Set<LicenseCategory> out = new TreeSet<>();
    for (String c : strings(r, "categories")) out.add(LicenseCategory.fromId(c));
    return out;
  }

  /**
   * Rules that cannot all hold: the same id twice, a license id, category or country given two
   * different verdicts, or two rules of the same parameterless kind with different verdicts.
   */
  private static List<PolicyProblem> contradictions(JsonNode rules) {
    List<PolicyProblem> out = new ArrayList<>();
    Map<String, JsonNode> ids = new HashMap<>();
    // "what" (e.g. "license Apache-2.0") -> the first rule that gave it a verdict
    Map<String, JsonNode> firstSaid = new HashMap<>();
    int index = 0;
    for (JsonNode r : rules) {
      String path = "rules[" + index++ + "]";
      String id = r.get("id").asText();
      JsonNode earlier = ids.putIfAbsent(id, r);
      if (earlier != null) {
        out.add(at(r.get("id"), path + ".id",
            "rule id '" + id + "' is used twice (first on line " + line(location(earlier))
                + "); give each rule its own id"));
      }
      String kind = r.get("kind").asText();
      switch (kind) {
        case "license" -> {
          claim(r, "ids", "license", true, path, firstSaid, out);
          claim(r, "categories", "license category", false, path, firstSaid, out);
        }
        case "origin-country" -> claim(r, "countries", "origin country", false, path, firstSaid, out);
        case "publisher-signature", "quantization", "cel", "license-finding" -> {
          // Parameterised checks may legitimately appear twice (e.g. two CEL conditions).
        }
        default -> {
          JsonNode first = firstSaid.putIfAbsent("kind " + kind, r);
          if (first != null && !first.get("verdict").equals(r.get("verdict"))) {
            out.add(at(r.get("verdict"), path + ".verdict",
                "contradicts rule '" + first.get("id").asText() + "': both are " + kind
                    + " rules, one says " + first.get("verdict").asText() + " and this one "
                    + r.get("verdict").asText() + "; keep one of them"));
          }
        }
      }
    }
    return out;
  }

  private static void claim(JsonNode r, String key, String what, boolean ignoreCase, String path,
      Map<String, JsonNode> firstSaid, List<PolicyProblem> out) {
    JsonNode list = r.get(key);
    if (list == null) return;
    int i = 0;
    for (JsonNode item : list) {
      String value = item.asText();
      String claimKey = what + " " + (ignoreCase ? value.toLowerCase(java.util.Locale.ROOT) : value);
      JsonNode first = firstSaid.putIfAbsent(claimKey, r);
      if (first != null && !first.get("verdict").equals(r.get("verdict"))) {
        out.add(at(item, path + "." + key + "[" + i + "]",
            "contradicts rule '" + first.get("id").asText() + "': " + what + " " + value + " is "
                + first.get("verdict").asText() + " there and " + r.get("verdict").asText()
                + " here; each " + what + " may have only one verdict"));
      }
      i++;
    }
  }

  private static PolicyProblem at(JsonNode node, String path, String message) {
    return problem(node, path, message);
  }

  /** Where a node sits in the YAML text; null when the parser recorded none (empty input). */
  private static JsonLocation location(JsonNode node) {
    if (node == null) return null;
    try {
      return JsonNodes.tokenLocationOf(node);
    } catch (IllegalArgumentException noLocation) {
      return null;
    }
  }

  private static List<PolicyProblem> sorted(List<PolicyProblem> problems) {
    return problems.stream()
        .distinct()
        .sorted(Comparator.comparingInt(PolicyProblem::line)
            .thenComparingInt(PolicyProblem::column)
            .thenComparing(PolicyProblem::message))
        .toList();
  }

  private static int line(JsonLocation at) {
    return at == null || at.getLineNr() < 1 ? 1 : at.getLineNr();
  }

  private static int column(JsonLocation at) {
    return at == null || at.getColumnNr() < 1 ? 1 : at.getColumnNr();
  }

  private static JsonSchema loadSchema() {
    try (InputStream in = PolicyFile.class.getResourceAsStream(SCHEMA_RESOURCE)) {
      if (in == null) throw new IllegalStateException(SCHEMA_RESOURCE + " missing from the build");
      JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
      SchemaValidatorsConfig config =
          SchemaValidatorsConfig.builder().locale(java.util.Locale.ENGLISH).build();
      return factory.getSchema(in, config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
