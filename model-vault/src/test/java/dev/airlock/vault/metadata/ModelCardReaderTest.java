package dev.airlock.vault.metadata;

import static dev.airlock.vault.metadata.Fixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCardReaderTest {
  @TempDir Path dir;

  @Test
  void readsLicenseAndLineageFieldsWithTheirLines() throws Exception {
    ModelCard card = ModelCardReader.read(resource("cards/llama-finetune.md"), "README.md");

    assertThat(card.hasFrontMatter()).isTrue();
    CardField license = card.license().orElseThrow();
    assertThat(license.value()).isEqualTo("other");
    assertThat(license.evidence().line()).hasValue(2);
    assertThat(license.evidence().toString()).isEqualTo("README.md:2: license: other");
    assertThat(card.licenseName().orElseThrow().value()).isEqualTo("llama3.1");
    assertThat(card.licenseName().orElseThrow().evidence().line()).hasValue(3);
    assertThat(card.licenseLink().orElseThrow().value())
        .isEqualTo("https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/LICENSE");
    assertThat(card.baseModels()).extracting(CardField::value).containsExactly("meta-llama/Llama-3.1-8B-Instruct");
    assertThat(card.baseModels().get(0).evidence().line()).hasValue(5);
    assertThat(card.baseModelRelation().orElseThrow().value()).isEqualTo("finetune");
    assertThat(card.pipelineTag().orElseThrow().value()).isEqualTo("text-generation");
    assertThat(card.languages()).extracting(CardField::value).containsExactly("en", "de");
    assertThat(card.languages()).extracting(f -> f.evidence().line().getAsInt()).containsExactly(9, 10);
    assertThat(card.tags()).extracting(CardField::value).containsExactly("llama-3", "fine-tuned");
    assertThat(card.tags().get(1).evidence().excerpt()).isEqualTo("- \"fine-tuned\"");
  }

  @Test
  void bodyTextAfterTheFrontMatterIsNotAField() throws Exception {
    ModelCard card = ModelCardReader.read(resource("cards/llama-finetune.md"));
    assertThat(card.values("license")).hasSize(1);
  }

  @Test
  void readsAListOfBaseModelsForAMergeAndSkipsNestedMappings() throws Exception {
    ModelCard card = ModelCardReader.read(resource("cards/merge.md"), "README.md");
    assertThat(card.baseModels()).extracting(CardField::value)
        .containsExactly("Qwen/Qwen2.5-7B-Instruct", "meta-llama/Llama-3.1-8B-Instruct");
    assertThat(card.baseModels()).extracting(f -> f.evidence().line().getAsInt()).containsExactly(3, 4);
    assertThat(card.baseModelRelation().orElseThrow().value()).isEqualTo("merge");
    assertThat(card.license().orElseThrow().evidence().line()).hasValue(6);
    assertThat(card.fields()).doesNotContainKey("model-index");
    assertThat(card.value("library_name").orElseThrow().value()).isEqualTo("transformers");
  }

  @Test
  void aCardWithoutFrontMatterDeclaresNothing() throws Exception {
    ModelCard card = ModelCardReader.read(resource("cards/no-front-matter.md"));
    assertThat(card.hasFrontMatter()).isFalse();
    assertThat(card.license()).isEmpty();
    assertThat(card.fields()).isEmpty();
  }

  @Test
  void rejectsBinaryJunkNamedReadme() throws Exception {
    byte[] junk = new byte[4096];
    new Random(7).nextBytes(junk);
    junk[5] = 0;
    Path f = dir.resolve("README.md");
    Files.write(f, junk);
    assertThatThrownBy(() -> ModelCardReader.read(f))
        .isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith("README.md: contains a NUL byte at offset ")
        .hasMessageEndingWith(": it is binary, not a Markdown model card; replace it with the card's text");
  }

  @Test
  void rejectsTextThatIsNotUtf8() throws Exception {
    Path f = dir.resolve("README.md");
    Files.write(f, new byte[] {'-', '-', '-', '\n', 'l', ':', ' ', (byte) 0xC3, (byte) 0x28, '\n'});
    assertThatThrownBy(() -> ModelCardReader.read(f))
        .hasMessage("README.md: is not UTF-8 text, so it is not a Markdown model card; replace it with the card's text");
  }

  @Test
  void reportsInvalidYamlWithItsLineInTheFile() {
    assertThatThrownBy(() -> ModelCardReader.read(resource("cards/broken-yaml.md"), "README.md"))
        .isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith("README.md: front matter is not valid YAML at line 4, column ")
        .hasMessageEndingWith("; fix the YAML between the '---' lines");
  }

  @Test
  void rejectsFrontMatterThatIsNeverClosed() {
    assertThatThrownBy(() -> ModelCardReader.read(resource("cards/unclosed.md"), "README.md"))
        .hasMessage("README.md: front matter opened with '---' on line 1 is never closed; end it with a '---' line");
  }

  @Test
  void rejectsALicenseDeclaredTwice() {
    assertThatThrownBy(() -> ModelCardReader.read(resource("cards/duplicate-license.md"), "README.md"))
        .hasMessage("README.md: front matter declares 'license' twice (lines 2 and 4); keep one");
  }

  @Test
  void rejectsFrontMatterThatIsNotAMapping() {
    assertThatThrownBy(() -> ModelCardReader.read(resource("cards/list-front-matter.md"), "README.md"))
        .hasMessage("README.md: front matter at line 2 must be a YAML mapping (key: value lines), found a list");
  }

  @Test
  void refusesAnAliasBombInsteadOfExpandingIt() throws Exception {
    StringBuilder yaml = new StringBuilder("---\na: &a [x, x, x, x, x, x, x, x, x]\n");
    String prev = "a";
    for (int i = 0; i < 30; i++) {
      String next = "b" + i;
      yaml.append(next).append(": &").append(next).append(" [*").append(prev).append(", *").append(prev)
          .append(", *").append(prev).append("]\n");
      prev = next;
    }
    yaml.append("---\n");
    assertThatThrownBy(() -> ModelCardReader.parse(yaml.toString().getBytes(StandardCharsets.UTF_8), "README.md"))
        .isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith("README.md: front matter is not valid YAML");
  }

  @Test
  void readsOnlyTheStartOfAHugeCard() throws Exception {
    StringBuilder text = new StringBuilder("---\nlicense: mit\n---\n");
    String paragraph = "Lorem ipsum dolor sit amet, ünïcödé text to cross the cap. ".repeat(20) + "\n";
    while (text.length() < 3 * ModelCardReader.MAX_READ_BYTES) text.append(paragraph);
    Path f = dir.resolve("README.md");
    Files.writeString(f, text);
    assertThat(ModelCardReader.read(f).license().orElseThrow().value()).isEqualTo("mit");
  }

  @Test
  void aMissingCardIsAClearError() {
    assertThatThrownBy(() -> ModelCardReader.read(dir.resolve("README.md")))
        .hasMessage("README.md: no such model card; check the path");
  }
}
