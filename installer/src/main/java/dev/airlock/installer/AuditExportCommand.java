package dev.airlock.installer;

import dev.airlock.audit.AuditExport;
import dev.airlock.audit.AuditLogException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code airlock audit export}: the log as JSON lines, one {@code {"index": I, "leaf": "<base64>"}}
 * per entry and one {@code {"checkpoint": "<signed note>"}} per checkpoint, each checkpoint right
 * after the last entry it covers, so a reader can check it as soon as it arrives. The format is
 * written by {@link AuditExport}, which the server's export uses too.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Write the audit log as JSON lines on stdout: {\"index\": I, \"leaf\": \"<base64 leaf>\"} per entry and",
      "{\"checkpoint\": \"<signed note>\"} per checkpoint (after the last entry it covers).",
      "The format is documented in docs/audit-log-format.md."
    })
final class AuditExportCommand implements Callable<Integer> {
  @Option(names = "--data-dir", required = true, paramLabel = "DIR",
      description = "Appliance data directory; the log is read from DIR/audit.")
  Path dataDir;

  @Option(names = "--from", paramLabel = "I", defaultValue = "0", description = "First entry index (inclusive; default 0).")
  long from;

  @Option(names = "--to", paramLabel = "J", description = "Last entry index (inclusive; default: the last entry).")
  Long to;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (from < 0 || (to != null && to < from)) {
      err.println("airlock audit export: --from must be >= 0 and --to >= --from, got --from " + from + " --to " + to);
      return AuditCommand.EXIT_BAD_INPUT;
    }
    long end = to == null ? Long.MAX_VALUE : to + 1;
    try {
      AuditExport.writeEntries(AuditCommand.reader(dataDir), from, end, out);
      return 0;
    } catch (AuditLogException e) {
      out.flush();
      err.println("airlock audit export: " + e.getMessage());
      return AuditCommand.EXIT_LOG_PROBLEM;
    }
  }
}
