package dev.airlock.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a policy needs to know about the organization running the model. An empty field means
 * "not stated": rules that depend on it ask for review rather than guess.
 */
public record OrgProfile(
    Optional<Long> monthlyActiveUsers,
    Optional<Boolean> euDomiciled,
    Optional<Boolean> commercialUse,
    Optional<Boolean> multimodalUse) {

  private static final Set<String> KEYS =
      Set.of("monthly_active_users", "eu_domiciled", "commercial_use", "multimodal_use");

  /** Nothing stated. */
  public static OrgProfile unknown() {
    return new OrgProfile(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  public static OrgProfile of(long mau, boolean eu, boolean commercial, boolean multimodal) {
    return new OrgProfile(
        Optional.of(mau), Optional.of(eu), Optional.of(commercial), Optional.of(multimodal));
  }

  /**
   * Reads a profile file (YAML or JSON):
   *
   * <pre>
   * monthly_active_users: 800000000
   * eu_domiciled: true
   * commercial_use: true
   * multimodal_use: false
   * </pre>
   *
   * @throws IllegalArgumentException saying which key is wrong and what was expected
   */
  public static OrgProfile parse(String text, String sourceName) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      PolicyProblem p = PolicyFile.yamlProblem(e);
      throw new IllegalArgumentException(sourceName + ":" + p.line() + ":" + p.column()
          + ": not a readable YAML organization profile: " + p.message());
    } catch (IOException e) {
      throw new IllegalArgumentException(sourceName + ": cannot read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(
          sourceName + ": expected a mapping with " + KEYS.stream().sorted().toList());
    }
    List<String> unknown = new ArrayList<>();
    root.fieldNames().forEachRemaining(k -> {
      if (!KEYS.contains(k)) unknown.add(k);
    });
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          sourceName + ": unknown key(s) " + unknown + "; expected only "
              + KEYS.stream().sorted().toList());
    }
    Optional<Long> mau = Optional.empty();
    JsonNode m = root.get("monthly_active_users");
    if (m != null && !m.isNull()) {
      if (!m.canConvertToLong() || !m.isIntegralNumber() || m.asLong() < 0) {
        throw new IllegalArgumentException(
            sourceName + ": monthly_active_users must be a whole number >= 0, found '"
                + m.asText() + "'");
      }
      mau = Optional.of(m.asLong());
    }
    return new OrgProfile(
        mau, flag(root, "eu_domiciled", sourceName), flag(root, "commercial_use", sourceName),
        flag(root, "multimodal_use", sourceName));
  }

  private static Optional<Boolean> flag(JsonNode root, String key, String sourceName) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) return Optional.empty();
    if (!n.isBoolean()) {
      throw new IllegalArgumentException(
          sourceName + ": " + key + " must be true or false, found '" + n.asText() + "'");
    }
    return Optional.of(n.booleanValue());
  }
}
