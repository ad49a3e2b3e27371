package dev.airlock.license;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LicenseReportJsonTest {
  @Test
  void jsonHasTheDocumentedFields() throws Exception {
    JsonNode json = new ObjectMapper().readTree(LicenseReportJson.write(LicenseAudit.scan(Corpus.model("mit-llama-distill"))));

    assertThat(json.get("format_version").asInt()).isEqualTo(1);
    assertThat(json.get("effective_licenses")).allSatisfy(e -> assertThat(e.fieldNames()).toIterable()
        .contains("id", "name", "category", "basis", "bound_through", "evidence"));
    JsonNode inherited = json.get("effective_licenses").get(1);
    assertThat(inherited.get("id").asText()).isEqualTo("LicenseRef-scancode-llama-3.1-license-2024");
    assertThat(inherited.get("category").asText()).isEqualTo("open-weights-restricted");
    assertThat(inherited.get("basis").asText()).isEqualTo("inherited");
    JsonNode lineage = json.get("lineage").get(0);
    assertThat(lineage.get("relation").asText()).isEqualTo("distillation");
    assertThat(lineage.get("family").get("origin_country").asText()).isEqualTo("US");
    assertThat(json.get("obligations")).anySatisfy(o -> {
      assertThat(o.get("kind").asText()).isEqualTo("name-prefix");
      assertThat(o.get("citation").get("clause").asText()).isEqualTo("Section 1(b)(i)");
    });
    assertThat(json.get("thresholds").get(0).get("limit").asLong()).isEqualTo(700_000_000L);
    JsonNode finding = json.get("findings").get(0);
    assertThat(finding.fieldNames()).toIterable().containsExactly("severity", "code", "message", "evidence");
    assertThat(json.get("findings")).anySatisfy(f -> {
      assertThat(f.get("code").asText()).isEqualTo("license-inherited");
      assertThat(f.get("severity").asText()).isEqualTo("warning");
      JsonNode ev = f.get("evidence").get(0);
      assertThat(ev.get("file").asText()).isEqualTo("README.md");
      assertThat(ev.get("position").get("line").asInt()).isEqualTo(3);
      assertThat(ev.get("excerpt").asText()).isEqualTo("base_model: meta-llama/Llama-3.1-8B");
    });
    for (String list : new String[] {"field_of_use_restrictions", "territorial_restrictions", "governing_law"}) {
      assertThat(json.get(list).isArray()).as(list).isTrue();
    }
  }
}
