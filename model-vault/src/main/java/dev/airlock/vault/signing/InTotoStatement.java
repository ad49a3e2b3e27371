package dev.airlock.vault.signing;

import static dev.airlock.vault.signing.VerificationException.Check.STATEMENT;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An in-toto v1 statement: subjects (name + digests), a predicate type, and a JSON predicate.
 *
 * @see <a href="https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md">in-toto Statement v1</a>
 */
public record InTotoStatement(List<Subject> subjects, String predicateType, JsonNode predicate) {
  public static final String TYPE = "https://in-toto.io/Statement/v1";

  /** A subject: a name and its digests by algorithm (e.g. {@code sha256 -> hex}). */
  public record Subject(String name, Map<String, String> digest) {
    public Subject {
      Objects.requireNonNull(name, "name");
      digest = Map.copyOf(digest);
    }
  }

  public InTotoStatement {
    subjects = List.copyOf(subjects);
    Objects.requireNonNull(predicateType, "predicateType");
    predicate = predicate.deepCopy();
  }

  @Override
  public JsonNode predicate() {
    return predicate.deepCopy();
  }

  /** Parses a statement; checks only the in-toto envelope fields, not the predicate. */
  public static InTotoStatement parse(byte[] json) throws VerificationException {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new VerificationException(STATEMENT,
          "the signed payload is not valid JSON (" + e.getMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new VerificationException(STATEMENT, "the signed payload is not a JSON object");
    }
    String type = Json.text(root, "_type").orElse("(none)");
    if (!TYPE.equals(type)) {
      throw new VerificationException(STATEMENT,
          "the signed payload's _type is '" + type + "', expected in-toto statement '" + TYPE + "'");
    }
    List<Subject> subjects = new ArrayList<>();
    for (JsonNode s : root.path("subject")) {
      Map<String, String> digest = new LinkedHashMap<>();
      s.path("digest").properties().forEach(e -> digest.put(e.getKey(), e.getValue().asText()));
      subjects.add(new Subject(Json.text(s, "name").orElse(""), digest));
    }
    String predicateType = Json.text(root, "predicateType").orElseThrow(() ->
        new VerificationException(STATEMENT, "the statement has no predicateType"));
    JsonNode predicate = root.get("predicate");
    if (predicate == null || !predicate.isObject()) {
      throw new VerificationException(STATEMENT, "the statement has no predicate object");
    }
    return new InTotoStatement(subjects, predicateType, predicate);
  }

  /** The statement as JSON, fields in the order protobuf's printer uses. */
  public byte[] toJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("_type", TYPE);
    var array = root.putArray("subject");
    for (Subject s : subjects) {
      ObjectNode node = array.addObject().put("name", s.name());
      ObjectNode digest = node.putObject("digest");
      s.digest().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> digest.put(e.getKey(), e.getValue()));
    }
    root.put("predicateType", predicateType);
    root.set("predicate", predicate.deepCopy());
    try {
      return Json.PRETTY.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("writing JSON to memory cannot fail", e);
    }
  }
}
