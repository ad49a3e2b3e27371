package dev.airlock.installer;

import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogReader;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code airlock audit}: offline checks of the tamper-evident audit log. Every subcommand only
 * reads the log's own files under {@code <data dir>/audit} (no lock, no database), so it works on
 * the data directory of a running server.
 */
@Command(
    name = "audit",
    description = "Verify, export and prove the audit log, offline.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {AuditVerifyCommand.class, AuditExportCommand.class, AuditProveCommand.class})
final class AuditCommand implements Runnable {
  /** Exit code when the log (or a proof) is found wrong: distinct from usage errors (2). */
  static final int EXIT_LOG_PROBLEM = 1;

  /** Exit code for bad input: a missing log, an unreadable or malformed verifier key. */
  static final int EXIT_BAD_INPUT = 2;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The log inside an appliance data directory, opened read-only. */
  static AuditLogReader reader(Path dataDir) {
    return AuditLogReader.open(AuditLog.directoryIn(dataDir));
  }
}
