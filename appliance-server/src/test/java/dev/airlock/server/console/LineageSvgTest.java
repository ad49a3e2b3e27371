package dev.airlock.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class LineageSvgTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void hostileNamesAreEscapedAndTheDrawingStaysWellFormed() throws Exception {
    JsonNode report = JSON.readTree("""
        {"effective_licenses":[{"id":"MIT","name":"MIT License"},{"id":"LicenseRef-x</text><script>","name":""}],
         "lineage":[{"model":"evil/<b>&\\"'\\u0007","relation":"fine_tune","family":null},
                    {"model":"base/two","relation":"quantized","family":{"name":"Gemma","license":"LicenseRef-gemma"}}]}""");
    String svg = LineageSvg.draw(report, "m<1> & co");
    Document doc = ReviewPagesTest.xml(svg);
    assertThat(svg).doesNotContain("<script").doesNotContain("<b>").doesNotContain("\u0007");
    assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title").item(0).getTextContent())
        .isEqualTo("License lineage of m<1> & co");
    String desc = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "desc").item(0).getTextContent();
    assertThat(desc).contains("fine-tune of evil/<b>&\"'").contains("quantized of base/two, licensed Gemma license")
        .contains("licensed MIT, LicenseRef-x</text><script>.");
    assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "line").getLength()).isEqualTo(2);
  }

  @Test
  void aModelWithoutBaseModelsSaysSo() throws Exception {
    String svg = LineageSvg.draw(JSON.readTree("{\"effective_licenses\":[],\"lineage\":[]}"), "solo 1.0");
    assertThat(ReviewPagesTest.xml(svg).getDocumentElement().getTextContent())
        .contains("No base model declared").contains("no license found");
  }
}
