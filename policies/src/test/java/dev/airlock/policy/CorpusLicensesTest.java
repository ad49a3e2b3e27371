package dev.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.license.LicenseAudit;
import dev.airlock.policy.PolicyFacts.Provenance;
import dev.airlock.policy.PolicyFacts.PublisherSignature;
import dev.airlock.policy.PolicyFacts.Subject;
import dev.airlock.policy.PolicyFacts.SubjectKind;
import dev.airlock.policy.PolicyFacts.TransferState;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each shipped pack on each license text of the corpus (shipped by license-audit as its catalog
 * texts), identified end to end by {@link LicenseAudit#scan}. The model is otherwise clean (a
 * signed bundle from an EU publisher, with an SBOM, for a text-only commercial EU company of 2
 * million users), so the license alone decides.
 */
class CorpusLicensesTest {
  static final String TEXTS = "/dev/airlock/license/catalog/texts/";
  static final List<String> OPEN_WEIGHTS_EU =
      List.of("review-open-weights", "review-use-restrictions");

  static Stream<Arguments> cases() {
    return Stream.of(
        // text, enterprise-default, permissive-only, eu-public-sector (deciding rules of each)
        row("Apache-2.0", Verdict.ALLOW, List.of("allow-permissive"), Verdict.ALLOW,
            List.of("allow-permissive"), Verdict.ALLOW, List.of("allow-permissive")),
        openWeights("llama2"),
        openWeights("llama3"),
        openWeights("llama3_1"),
        openWeights("llama3_2"),
        openWeights("llama4"),
        // The knowledge base records no field-of-use clause in these two texts themselves (Gemma's
        // sit in its separate Prohibited Use Policy), so only the license category asks review.
        openWeights("gemma-tou-2024-04-01", List.of("review-open-weights")),
        openWeights("deepseek-la-1.0"),
        openWeights("tongyi-qianwen-2023", List.of("review-open-weights")),
        openWeights("bigscience-open-rail-m"))
        .flatMap(s -> s);
  }

  static Stream<Arguments> openWeights(String text) {
    return openWeights(text, OPEN_WEIGHTS_EU);
  }

  static Stream<Arguments> openWeights(String text, List<String> euRules) {
    return row(text, Verdict.ALLOW, List.of("allow-open-weights"), Verdict.DENY,
        List.of("deny-other-licenses"), Verdict.REVIEW, euRules);
  }

  static Stream<Arguments> row(String text, Verdict ent, List<String> entRules, Verdict perm,
      List<String> permRules, Verdict eu, List<String> euRules) {
    return Stream.of(
        Arguments.of(text, "enterprise-default", ent, entRules),
        Arguments.of(text, "permissive-only", perm, permRules),
        Arguments.of(text, "eu-public-sector", eu, euRules));
  }

  @ParameterizedTest(name = "{0} under {1}: {2}")
  @MethodSource("cases")
  void packVerdictOnCorpusLicense(String text, String pack, Verdict verdict, List<String> deciding,
      @TempDir Path dir) throws Exception {
    PolicyFacts facts = scanned(text, dir);
    assertThat(facts.licenses()).as("identified license of " + text).isNotEmpty()
        .allSatisfy(l -> assertThat(l.category()).isNotEqualTo(dev.airlock.license.LicenseCategory.UNKNOWN));
    Evaluation e = PolicyEngine.evaluate(PolicyFile.pack(pack), facts, PackVerdictsTest.COMPANY);
    assertThat(e.verdict()).as(trace(e)).isEqualTo(verdict);
    assertThat(e.decidingRules()).as(trace(e)).containsExactlyElementsOf(deciding);
  }

  static PolicyFacts scanned(String text, Path dir) throws Exception {
    copy(text + ".LICENSE", dir.resolve("LICENSE"));
    if (PolicyFacts.class.getResource(TEXTS + text + ".USE_POLICY.md") != null) {
      copy(text + ".USE_POLICY.md", dir.resolve("USE_POLICY.md"));
    }
    return ModelFacts.of(new Subject(dir.toString(), SubjectKind.BUNDLE),
        LicenseAudit.scan(dir), Optional.empty(),
        new PolicyFacts.Origin(Optional.of("Example Publisher"), Optional.of("DE"), "bundle manifest"),
        new Provenance(TransferState.VERIFIED, "transfer signature verified",
            Optional.of(new PublisherSignature("Example Publisher", true, true)), true));
  }

  @org.junit.jupiter.api.Test
  void tongyiQianwenUserLimitOf100MillionComesFromItsText(@TempDir Path dir) throws Exception {
    PolicyFacts f = scanned("tongyi-qianwen-2023", dir);
    Evaluation at150m = PolicyEngine.evaluate(PolicyFile.pack("enterprise-default"), f,
        OrgProfile.of(150_000_000L, false, true, false));
    assertThat(at150m.verdict()).isEqualTo(Verdict.DENY);
    assertThat(at150m.decidingRules()).containsExactly("deny-above-user-limit");
    assertThat(at150m.rule("deny-above-user-limit").reason()).contains("allows at most 100,000,000");
    assertThat(PolicyEngine.evaluate(PolicyFile.pack("enterprise-default"), f,
        OrgProfile.of(90_000_000L, false, true, false)).verdict()).isEqualTo(Verdict.ALLOW);
  }

  @org.junit.jupiter.api.Test
  void llama32WithholdsMultimodalRightsFromEuOrganizations(@TempDir Path dir) throws Exception {
    PolicyFacts f = scanned("llama3_2", dir);
    Evaluation euMultimodal = PolicyEngine.evaluate(PolicyFile.pack("enterprise-default"), f,
        OrgProfile.of(1000, true, true, true));
    assertThat(euMultimodal.verdict()).isEqualTo(Verdict.DENY);
    assertThat(euMultimodal.decidingRules()).containsExactly("deny-eu-multimodal");
    assertThat(PolicyEngine.evaluate(PolicyFile.pack("enterprise-default"), f,
        OrgProfile.of(1000, false, true, true)).verdict()).isEqualTo(Verdict.ALLOW);
  }

  static String trace(Evaluation e) {
    StringBuilder b = new StringBuilder(e.policy() + ": " + e.verdict() + "\n");
    e.rules().forEach(r -> b.append("  ").append(r.id()).append(' ').append(r.outcome())
        .append(' ').append(r.reason()).append('\n'));
    return b.toString();
  }

  static void copy(String resource, Path to) throws Exception {
    try (InputStream in = PolicyFacts.class.getResourceAsStream(TEXTS + resource)) {
      assertThat(in).as(resource + " on the classpath").isNotNull();
      Files.copy(in, to);
    }
  }
}
