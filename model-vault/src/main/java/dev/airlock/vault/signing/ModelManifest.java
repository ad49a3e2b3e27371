package dev.airlock.vault.signing;

import static dev.airlock.vault.signing.VerificationException.Check.PREDICATE_TYPE;
import static dev.airlock.vault.signing.VerificationException.Check.ROOT_DIGEST;
import static dev.airlock.vault.signing.VerificationException.Check.STATEMENT;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.vault.Sha256;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a model signature covers: the serialization used, and every resource with its digest.
 * Converts to and from the OMS v1.0 in-toto statement.
 */
public record ModelManifest(String modelName, Serialization serialization, List<Resource> resources) {
  /** The OMS v1.0 predicate type. */
  public static final String PREDICATE_TYPE_V1 = "https://model_signing/signature/v1.0";

  /**
   * The resource name of a model that is a single file: the file's path relative to itself, which
   * the reference tool writes as Python's {@code Path.relative_to} gives it, {@code "."} (shards:
   * {@code ".:start:end"}).
   */
  public static final String SINGLE_FILE = ".";

  public ModelManifest {
    resources = List.copyOf(resources);
  }

  /** SHA-256 over the resource digests, concatenated in the listed order: the subject digest. */
  public Sha256 rootDigest() {
    MessageDigest sha = Sha256.newDigest();
    resources.forEach(r -> sha.update(r.digest().bytes()));
    return new Sha256(HexFormat.of().formatHex(sha.digest()));
  }

  /**
   * True when this manifest covers a single file (every resource is {@link #SINGLE_FILE} or a
   * shard of it), false for a directory or when there is no resource at all.
   */
  public boolean isSingleFile() {
    return !resources.isEmpty()
        && resources.stream().allMatch(r -> pathOf(r.name(), serialization).equals(SINGLE_FILE));
  }

  /** How many files the manifest covers (shards of one file count once). */
  public long fileCount() {
    return resources.stream().map(r -> pathOf(r.name(), serialization)).distinct().count();
  }

  /** The resources by name, for comparing a model against its signature. */
  public Map<String, Sha256> digestsByName() {
    Map<String, Sha256> map = new java.util.LinkedHashMap<>();
    resources.forEach(r -> map.put(r.name(), r.digest()));
    return map;
  }

  /** The in-toto statement the reference tool signs for this manifest. */
  public InTotoStatement toStatement() {
    ObjectNode predicate = Json.MAPPER.createObjectNode();
    ObjectNode ser = predicate.putObject("serialization");
    switch (serialization) {
      case Serialization.Files f -> ser.put("method", "files");
      case Serialization.Shards s -> ser.put("method", "shards");
    }
    ser.put("hash_type", Serialization.HASH_TYPE);
    ser.put("allow_symlinks", serialization.allowSymlinks());
    if (serialization instanceof Serialization.Shards s) {
      ser.put("shard_size", s.shardSize());
    }
    ArrayNode ignore = ser.putArray("ignore_paths");
    serialization.ignorePaths().forEach(ignore::add);
    // The reference tool names a shard's hash after its shard size, and its verifier compares
    // the algorithm with the digest: plain "sha256" there would not verify.
    String algorithm = switch (serialization) {
      case Serialization.Files f -> Serialization.HASH_TYPE;
      case Serialization.Shards s -> Serialization.HASH_TYPE + "-sharded-" + s.shardSize();
    };
    ArrayNode list = predicate.putArray("resources");
    for (Resource r : resources) {
      list.addObject().put("name", r.name()).put("algorithm", algorithm)
          .put("digest", r.digest().hex());
    }
    return new InTotoStatement(
        List.of(new InTotoStatement.Subject(modelName, Map.of("sha256", rootDigest().hex()))),
        PREDICATE_TYPE_V1, predicate);
  }

  /**
   * Reads a manifest from a verified statement, checking predicate type, the single subject, the
   * serialization, every resource, and that the root digest matches the resources.
   */
  public static ModelManifest fromStatement(InTotoStatement statement) throws VerificationException {
    if (!PREDICATE_TYPE_V1.equals(statement.predicateType())) {
      throw new VerificationException(PREDICATE_TYPE, "predicate type check failed: the statement's"
          + " predicateType is '" + statement.predicateType() + "', expected '" + PREDICATE_TYPE_V1
          + "' (OpenSSF Model Signing v1.0); re-sign the model with a current model_signing or"
          + " 'airlock model sign'");
    }
    if (statement.subjects().size() != 1) {
      throw bad("expected exactly one subject (the model), found " + statement.subjects().size());
    }
    InTotoStatement.Subject subject = statement.subjects().getFirst();
    String claimedRoot = subject.digest().get("sha256");
    if (claimedRoot == null) {
      throw bad("the subject has no sha256 digest");
    }
    JsonNode predicate = statement.predicate();
    Serialization serialization = serialization(predicate.get("serialization"));
    List<Resource> resources = new ArrayList<>();
    Set<String> names = new HashSet<>();
    JsonNode list = predicate.get("resources");
    if (list == null || !list.isArray()) {
      throw bad("the predicate has no 'resources' list");
    }
    for (JsonNode r : list) {
      String name = Json.text(r, "name").orElseThrow(() -> bad("a resource has no name"));
      String algorithm = Json.text(r, "algorithm").orElse("(none)");
      if (!isSha256(algorithm)) {
        throw bad("resource '" + name + "' uses hash algorithm '" + algorithm
            + "'; Airlock verifies only sha256");
      }
      checkName(name, serialization);
      if (!names.add(name)) {
        throw bad("resource '" + name + "' is listed twice");
      }
      String digest = Json.text(r, "digest").orElseThrow(() -> bad("resource '" + name + "' has no digest"));
      try {
        resources.add(new Resource(name, Sha256.parse(digest)));
      } catch (IllegalArgumentException e) {
        throw bad("resource '" + name + "': " + e.getMessage());
      }
    }
    ModelManifest manifest = new ModelManifest(subject.name(), serialization, resources);
    if (!manifest.isSingleFile() && names.stream()
        .anyMatch(n -> pathOf(n, serialization).equals(SINGLE_FILE))) {
      throw bad("resource '" + SINGLE_FILE + "' names a model that is a single file, yet other"
          + " resources are listed with it");
    }
    String actualRoot = manifest.rootDigest().hex();
    if (!actualRoot.equalsIgnoreCase(claimedRoot)) {
      throw new VerificationException(ROOT_DIGEST, "root digest check failed: the subject claims "
          + "sha256:" + claimedRoot + " but the listed resources hash to sha256:" + actualRoot
          + "; the statement is inconsistent and cannot be trusted");
    }
    return manifest;
  }

  private static Serialization serialization(JsonNode node) throws VerificationException {
    if (node == null || !node.isObject()) {
      throw bad("the predicate has no 'serialization' object");
    }
    String method = Json.text(node, "method").orElse("(none)");
    String hashType = Json.text(node, "hash_type").orElse("(none)");
    if (!isSha256(hashType)) {
      throw bad("serialization hash_type is '" + hashType + "'; Airlock verifies only sha256");
    }
    boolean allowSymlinks = node.path("allow_symlinks").asBoolean(false);
    List<String> ignore = new ArrayList<>();
    node.path("ignore_paths").forEach(p -> ignore.add(p.asText()));
    return switch (method) {
      case "files" -> new Serialization.Files(allowSymlinks, ignore);
      case "shards" -> new Serialization.Shards(shardSize(node.get("shard_size")), allowSymlinks,
          ignore);
      default -> throw bad("unknown serialization method '" + method + "'; expected 'files' or"
          + " 'shards'");
    };
  }

  /** Protobuf Struct numbers are doubles, so older signatures carry e.g. {@code 1000000000.0}. */
  private static long shardSize(JsonNode node) throws VerificationException {
    if (node == null || !node.isNumber()) {
      throw bad("shards serialization without a numeric 'shard_size'");
    }
    double d = node.asDouble();
    if (d != Math.rint(d) || d <= 0 || d > Long.MAX_VALUE) {
      throw bad("shard_size must be a positive whole number, found " + node);
    }
    return node.isIntegralNumber() ? node.asLong() : (long) d;
  }

  /** {@code sha256}, or the sharded hasher's name {@code sha256-sharded-N}: both are SHA-256. */
  private static boolean isSha256(String name) {
    return name.equals("sha256") || name.startsWith("sha256-sharded-");
  }

  /** The file a resource belongs to: its name, or a shard name without {@code :start:end}. */
  private static String pathOf(String name, Serialization serialization) {
    if (serialization instanceof Serialization.Shards) {
      int end = name.lastIndexOf(':');
      int start = end > 0 ? name.lastIndexOf(':', end - 1) : -1;
      return start >= 0 ? name.substring(0, start) : name;
    }
    return name;
  }

  private static void checkName(String name, Serialization serialization)
      throws VerificationException {
    String path = name;
    if (serialization instanceof Serialization.Shards) {
      String[] parts = name.split(":", -1);
      if (parts.length != 3 || !parts[1].matches("\\d+") || !parts[2].matches("\\d+")) {
        throw bad("shard resource '" + name + "' is not of the form path:start:end");
      }
      path = parts[0];
    }
    if (path.isEmpty() || path.startsWith("/") || List.of(path.split("/")).contains("..")) {
      throw bad("resource '" + name + "' is not a path inside the model directory");
    }
  }

  private static VerificationException bad(String what) {
    return new VerificationException(STATEMENT, "the signed statement is malformed: " + what);
  }
}
