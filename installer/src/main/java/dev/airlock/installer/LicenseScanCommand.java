package dev.airlock.installer;

import dev.airlock.license.LicenseAudit;
import dev.airlock.license.LicenseReport;
import dev.airlock.license.LicenseReportJson;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code airlock license scan DIR|BUNDLE [--json]}: the license report of a model directory.
 * Findings are facts, not failures: a completed scan exits 0 whatever it found; judging is
 * {@code airlock policy check}'s job.
 */
@Command(
    name = "scan",
    description = {
      "Report a model's effective licenses, lineage, obligations, thresholds, restrictions and findings, each with its evidence.",
      "Reads the model card, SPDX SBOMs, GGUF headers and LICENSE/COPYING/NOTICE/USE_POLICY files; never the weights.",
    },
    footer = {
      "",
      "Exit status: 0 scanned (see the findings), 1 the path cannot be scanned, 2 usage error,",
      "3 bundles cannot be scanned by this build yet.",
    })
final class LicenseScanCommand implements Callable<Integer> {
  /** The path names nothing that can be scanned. */
  static final int EXIT_CANNOT_SCAN = 1;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DIR|BUNDLE", description = "A model directory, or a bundle file.")
  Path target;

  @Option(names = "--json", description = "Print the report as JSON (documented in docs/license-scan.md).")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.exists(target)) {
      err.println("airlock license scan: " + target + " does not exist. Give a model directory (the one holding its README.md and LICENSE) or a bundle file.");
      return EXIT_CANNOT_SCAN;
    }
    if (!Files.isDirectory(target)) {
      err.println("airlock license scan: " + target + " is a file; scanning a bundle is not available yet in this build of Airlock. "
          + "Scan the model directory instead.");
      return AirlockCli.EXIT_NOT_AVAILABLE;
    }
    if (!Files.isReadable(target)) {
      err.println("airlock license scan: " + target + " cannot be read. Check its permissions and rerun.");
      return EXIT_CANNOT_SCAN;
    }
    LicenseReport report = LicenseAudit.scan(target);
    if (json) {
      out.println(LicenseReportJson.write(report));
    } else {
      out.print(LicenseReportText.render(report));
    }
    out.flush();
    return 0;
  }
}
