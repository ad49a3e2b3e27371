package dev.airlock.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.license.Evidence;
import dev.airlock.license.FindingCode;
import dev.airlock.license.LicenseAudit;
import dev.airlock.license.LicenseReport;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's model directory: what the license audit reads from its card and its SPDX 3.0.1 AI-BOM. */
class DemoModelTest {
  @TempDir Path dir;

  @Test
  void licenseAuditReadsApache2FromTheCardAndTheAiBomWithoutSbomProblems() throws Exception {
    Path model = dir.resolve("model");
    Path bom = DemoModel.writeTo(model, Instant.parse("2026-11-21T12:00:00Z"));

    LicenseReport report = LicenseAudit.scan(model);

    assertThat(report.effectiveLicenses()).extracting(l -> l.id()).containsExactly("Apache-2.0");
    assertThat(report.findings()).as(report.findings().toString())
        .noneMatch(f -> f.code() == FindingCode.SBOM_MALFORMED || f.code() == FindingCode.SBOM_INCOMPLETE
            || f.code() == FindingCode.LICENSE_CONFLICT);
    // The AI-BOM was read (it is evidence of the declared license), not skipped.
    assertThat(report.findings()).anySatisfy(f -> assertThat(f.evidence()).extracting(Evidence::file)
        .contains(bom.getFileName().toString()));
  }

  @Test
  void aiBomIsSpdx301JsonLdWithOneAiPackageAndOneDeclaredAndConcludedLicense() throws Exception {
    JsonNode doc = new ObjectMapper().readTree(AiBom.of(new AiBom.Model("m", "1.0", "Example", "A model",
        "https://example.org/m", "Apache-2.0", Instant.parse("2026-11-21T12:00:00Z"))));
    assertThat(doc.path("@context").asText()).isEqualTo("https://spdx.org/rdf/3.0.1/spdx-context.jsonld");
    assertThat(doc.path("@graph").findValuesAsText("type")).containsOnlyOnce("ai_AIPackage", "SpdxDocument");
    assertThat(doc.path("@graph").findValuesAsText("relationshipType"))
        .containsExactly("hasDeclaredLicense", "hasConcludedLicense");
    assertThat(doc.path("@graph").findValuesAsText("simplelicensing_licenseExpression")).containsExactly("Apache-2.0");
  }
}
