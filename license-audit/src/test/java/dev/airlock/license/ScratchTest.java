package dev.airlock.license;

import java.nio.file.*;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void print() throws Exception {
    for (String m : new String[]{"qwen3-apache","llama31-finetune","mit-llama-distill","gemma","cc-by-nc","unknown-license","declared-apache-ships-llama","no-license"}) {
      long t0 = System.nanoTime();
      LicenseReport r = LicenseAudit.scan(Path.of(getClass().getResource("/fixtures/models/" + m).toURI()));
      System.out.println("=== " + m + " " + (System.nanoTime()-t0)/1e6 + " ms");
      r.effectiveLicenses().forEach(e -> System.out.println("  EFF " + e.id() + " | " + e.name() + " | " + e.category() + " | " + e.basis() + " | " + e.boundThrough()));
      r.lineage().forEach(e -> System.out.println("  LIN " + e));
      r.findings().forEach(f -> System.out.println("  " + f.severity() + " " + f.code() + ": " + f.message() + " @ " + f.evidence()));
      System.out.println("  obligations " + r.obligations().size() + " thresholds " + r.thresholds().size() + " fou " + r.fieldOfUseRestrictions().size() + " terr " + r.territorialRestrictions().size());
    }
    for (String f : new String[]{"ai-sentiment.spdx3.json","ai-simplehtr.spdx3.json","sbom-with-source-license.spdx.json","software-example11.spdx.json"}) {
      var facts = SbomReader.read(Files.readAllBytes(Path.of("/work/shared/corpus/spdx/" + f)));
      System.out.println("=== " + f + " " + facts);
    }
  }
}
