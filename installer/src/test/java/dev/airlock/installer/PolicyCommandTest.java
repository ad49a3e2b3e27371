package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCommandTest {
  static final String FIXTURES = "../license-audit/src/test/resources/fixtures/models/";
  static final ObjectMapper JSON = new ObjectMapper();

  static AirlockCliTest.Run run(String... args) {
    return AirlockCliTest.run(args);
  }

  static Path profile(Path dir, String yaml) throws Exception {
    Path p = dir.resolve("org.yaml");
    Files.writeString(p, yaml);
    return p;
  }

  @Test
  void policyGroupListsItsCommands() {
    AirlockCliTest.Run r = run("policy");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("check     Judge a model directory or a bundle against a policy.")
        .contains("validate  Check a policy file");
  }

  @Test
  void allowedModelExitsZeroWithTheTraceAsJson(@TempDir Path tmp) throws Exception {
    Path org = profile(tmp, "monthly_active_users: 2000000\neu_domiciled: true\ncommercial_use: true\nmultimodal_use: false\n");
    AirlockCliTest.Run r = run("policy", "check", FIXTURES + "qwen3-apache", "--policy", "enterprise-default",
        "--org-profile", org.toString(), "--publisher", "Example", "--origin-country", "US", "--json");
    assertThat(r.err()).isEmpty();
    assertThat(r.exit()).isZero();
    JsonNode j = JSON.readTree(r.out());
    assertThat(j.get("verdict").asText()).isEqualTo("ALLOW");
    assertThat(j.get("deciding_rules").toString()).isEqualTo("[\"allow-permissive\"]");
    JsonNode first = j.get("rules").get(0);
    assertThat(first.get("id").asText()).isEqualTo("allow-permissive");
    assertThat(first.get("outcome").asText()).isEqualTo("ALLOW");
    assertThat(first.get("reason").asText()).startsWith("The model is bound by Apache-2.0");
    assertThat(first.get("evidence").isArray()).isTrue();
    assertThat(j.get("rules")).allSatisfy(rule -> assertThat(rule.fieldNames()).toIterable()
        .contains("id", "outcome", "reason", "evidence"));
  }

  @Test
  void bareDirectorySaysHowProvenanceRulesTreatIt() throws Exception {
    AirlockCliTest.Run r = run("policy", "check", FIXTURES + "qwen3-apache", "--policy", "enterprise-default",
        "--publisher", "Example", "--origin-country", "US", "--json");
    JsonNode j = JSON.readTree(r.out());
    assertThat(j.get("provenance").get("transfer_signature").asText()).isEqualTo("not-applicable-no-bundle");
    JsonNode transfer = null;
    for (JsonNode rule : j.get("rules")) if (rule.get("id").asText().equals("require-transfer-signature")) transfer = rule;
    assertThat(transfer.get("outcome").asText()).isEqualTo("NOT_APPLICABLE");
    assertThat(transfer.get("reason").asText()).startsWith("Not applicable: no bundle.");
    assertThat(j.get("notes").toString()).contains("this is a bare directory, not a bundle");
  }

  @Test
  void deniedModelExitsTwentyAndTheTextNamesTheRuleAndTheFix(@TempDir Path tmp) throws Exception {
    Path org = profile(tmp, "monthly_active_users: 800000000\ncommercial_use: true\n");
    AirlockCliTest.Run r = run("policy", "check", FIXTURES + "llama31-finetune", "--policy", "enterprise-default",
        "--org-profile", org.toString(), "--publisher", "Example", "--origin-country", "US");
    assertThat(r.exit()).isEqualTo(20);
    assertThat(r.out())
        .contains(": DENY\nDecided by: deny-above-user-limit\n")
        .contains("The organization has 800,000,000 monthly active users")
        .contains("how to fix: Obtain a separate license from the licensor")
        .contains("Obligations:\n  - LicenseRef-scancode-llama-3.1-license-2024: ");
  }

  @Test
  void reviewExitsTen() {
    AirlockCliTest.Run r = run("policy", "check", FIXTURES + "unknown-license", "--policy", "permissive-only");
    assertThat(r.exit()).isEqualTo(10);
    assertThat(r.out()).contains("(directory): REVIEW");
  }

  @Test
  void policyCanBeAFile(@TempDir Path tmp) throws Exception {
    Path p = tmp.resolve("nc.yaml");
    Files.writeString(p, """
        format: airlock.policy/v1
        name: no-nc
        description: No non-commercial licenses.
        rules:
          - id: deny-nc
            description: Non-commercial licenses.
            kind: license
            categories: [non-commercial]
            verdict: DENY
            how_to_fix: Pick another model.
        """);
    AirlockCliTest.Run r = run("policy", "check", FIXTURES + "cc-by-nc", "--policy", p.toString(), "--json");
    assertThat(r.exit()).isEqualTo(20);
    assertThat(JSON.readTree(r.out()).get("policy").asText()).isEqualTo("no-nc");
  }

  @Test
  void invalidPolicyFileIsBadInputWithLineAndColumn(@TempDir Path tmp) throws Exception {
    Path p = tmp.resolve("bad.yaml");
    Files.writeString(p, "format: airlock.policy/v1\nname: bad\ndescription: d\nrules:\n  - id: x\n    description: d\n    kind: wizardry\n    verdict: DENY\n    how_to_fix: f\n");
    AirlockCliTest.Run r = run("policy", "check", FIXTURES + "cc-by-nc", "--policy", p.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains(p + ":7:11: rules[0].kind: does not have a value in the enumeration")
        .contains("the policy is not valid; fix it (airlock policy validate " + p + ")");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void unknownPackOrMissingFileIsBadInput() {
    AirlockCliTest.Run r = run("policy", "check", FIXTURES + "cc-by-nc", "--policy", "strictest");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("airlock policy check: --policy strictest: neither a shipped policy"
        + " pack [permissive-only, enterprise-default, eu-public-sector] nor an existing policy file\n");
  }

  @Test
  void badOrganizationProfileIsBadInput(@TempDir Path tmp) throws Exception {
    Path org = profile(tmp, "monthly_active_users: many\n");
    AirlockCliTest.Run r = run("policy", "check", FIXTURES + "cc-by-nc", "--policy", "enterprise-default",
        "--org-profile", org.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("airlock policy check: " + org
        + ": monthly_active_users must be a whole number >= 0, found 'many'\n");
  }

  @Test
  void badOriginCountryIsBadInput() {
    AirlockCliTest.Run r = run("policy", "check", FIXTURES + "cc-by-nc", "--policy", "enterprise-default",
        "--origin-country", "France");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("--origin-country expects an ISO 3166-1 alpha-2 code in capitals (e.g. FR, US), found 'France'");
  }

  @Test
  void missingModelDirectoryIsBadInput() {
    AirlockCliTest.Run r = run("policy", "check", "/no/such/model", "--policy", "enterprise-default");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("airlock policy check: /no/such/model does not exist; give a model directory or a bundle.\n");
  }

  @Test
  void missingPolicyOptionIsAUsageError() {
    AirlockCliTest.Run r = run("policy", "check", FIXTURES + "cc-by-nc");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required option: '--policy=NAME|FILE'");
  }

  @Test
  void validateAcceptsEveryShippedPack() {
    for (String pack : new String[] {"permissive-only", "enterprise-default", "eu-public-sector"}) {
      AirlockCliTest.Run r = run("policy", "validate", "../policies/packs/" + pack + ".yaml");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).startsWith("../policies/packs/" + pack + ".yaml: valid policy '" + pack + "' with ");
    }
  }

  @Test
  void validateReportsEveryProblemWithLineAndColumn(@TempDir Path tmp) throws Exception {
    Path p = tmp.resolve("contradictory.yaml");
    Files.writeString(p, """
        format: airlock.policy/v1
        name: contradictory
        description: d
        rules:
          - id: allow-mit
            description: d
            kind: license
            ids: [MIT]
            verdict: ALLOW
            how_to_fix: f
          - id: deny-mit
            description: d
            kind: license
            ids: [MIT]
            verdict: DENY
            how_to_fix: f
        """);
    AirlockCliTest.Run r = run("policy", "validate", p.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo(p + ":14:11: rules[1].ids[0]: contradicts rule 'allow-mit': license"
        + " MIT is ALLOW there and DENY here; each license may have only one verdict\n"
        + p + ": 1 problem; the policy language is described in docs/policies.md.\n");
  }

  @Test
  void validateMalformedYaml(@TempDir Path tmp) throws Exception {
    Path p = tmp.resolve("broken.yaml");
    Files.writeString(p, "format: airlock.policy/v1\nname: [broken\n");
    AirlockCliTest.Run r = run("policy", "validate", p.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith(p + ":3:1: not valid YAML: ");
  }

  @Test
  void validateMissingFile() {
    AirlockCliTest.Run r = run("policy", "validate", "/no/such/policy.yaml");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("airlock policy validate: cannot read /no/such/policy.yaml: no such policy file\n");
  }
}
