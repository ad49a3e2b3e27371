package dev.airlock.license;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A text close to a known license but not the same goes to review, never as the known license. */
class LicenseTextSimilarityTest {
  @TempDir Path dir;

  @Test
  void editedLlamaLicenseIsSimilarWithTheDifferenceShown() throws IOException {
    String edited = Corpus.shippedText("llama3_1.LICENSE").replace("greater than 700 million monthly active users", "greater than 7 billion monthly active users");
    Files.writeString(dir.resolve("LICENSE"), edited);

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_TEXT_IDENTIFIED)).isEmpty();
    assertThat(r.findings(FindingCode.LICENSE_TEXT_SIMILAR)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.message())
          .startsWith("LICENSE is similar to Llama 3.1 Community License Agreement (LicenseRef-scancode-llama-3.1-license-2024, 0.99")
          .contains("but not the same text: it is not taken as that license")
          .contains("changed: \"…licensee s affiliates is greater than 700 million…\" to \"…licensee s affiliates is greater than 7 billion…\"");
    });
    assertThat(r.effectiveLicenses()).singleElement().satisfies(e -> {
      assertThat(e.id()).isEqualTo(LicenseAudit.UNIDENTIFIED);
      assertThat(e.name()).contains("similar to LicenseRef-scancode-llama-3.1-license-2024");
      assertThat(e.category()).isEqualTo(LicenseCategory.UNKNOWN);
    });
    assertThat(r.thresholds()).as("the edited text's terms are not the known license's").isEmpty();
  }

  @Test
  void apacheWithAClauseRemovedIsNeverPermissive() throws IOException {
    String apache = Corpus.shippedText("Apache-2.0.LICENSE");
    int from = apache.indexOf("   3. Grant of Patent License.");
    int to = apache.indexOf("   4. Redistribution.");
    Files.writeString(dir.resolve("LICENSE"), apache.substring(0, from) + apache.substring(to));

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_TEXT_SIMILAR)).singleElement().satisfies(f -> assertThat(f.message())
        .startsWith("LICENSE is similar to Apache License 2.0 (Apache-2.0, ")
        .contains("missing: \"grant of patent license\""));
    assertThat(r.effectiveLicenses()).noneSatisfy(e -> assertThat(e.category()).isEqualTo(LicenseCategory.PERMISSIVE));
  }

  @Test
  void whitespaceQuotesAndMarkdownDoNotMakeADifferentText() throws IOException {
    String reflowed = Corpus.shippedText("llama3_2.USE_POLICY.md").replace("**", "").replace("“", "\"").replace("”", "\"")
        .replaceAll("\\s+", " ");
    Files.writeString(dir.resolve("USE_POLICY.md"), reflowed);

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.findings(FindingCode.LICENSE_TEXT_IDENTIFIED)).singleElement()
        .satisfies(f -> assertThat(f.message()).startsWith("USE_POLICY.md is the acceptable use policy of the Llama 3.2 Community License Agreement"));
  }

  @Test
  void mitWithItsOwnCopyrightLineIsStillMitThroughSpdxTemplates() throws IOException {
    Files.writeString(dir.resolve("LICENSE"), """
        MIT License

        Copyright (c) 2025 Someone Else Entirely

        Permission is hereby granted, free of charge, to any person obtaining a copy
        of this software and associated documentation files (the "Software"), to deal
        in the Software without restriction, including without limitation the rights
        to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
        copies of the Software, and to permit persons to whom the Software is
        furnished to do so, subject to the following conditions:

        The above copyright notice and this permission notice shall be included in all
        copies or substantial portions of the Software.

        THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
        IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
        FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
        LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
        OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
        SOFTWARE.
        """);

    LicenseReport r = LicenseAudit.scan(dir);

    assertThat(r.effectiveLicenses()).singleElement().extracting(EffectiveLicense::id).isEqualTo("MIT");
  }

  @Test
  void candidatesForASpdxTextAreAShortListNotTheWholeList() {
    var candidates = SpdxLicenseList.candidates(LicenseText.of(Corpus.shippedText("Apache-2.0.LICENSE")));
    assertThat(candidates).hasSizeLessThanOrEqualTo(3);
    assertThat(candidates.get(0).id()).isEqualTo("Apache-2.0");
  }
}
