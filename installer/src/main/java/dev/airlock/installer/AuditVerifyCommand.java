package dev.airlock.installer;

import dev.airlock.audit.AuditExport;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogException;
import dev.airlock.audit.VerificationReport;
import dev.airlock.audit.note.NoteFormatException;
import dev.airlock.audit.note.NoteVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code airlock audit verify}: recomputes every leaf hash and the tree, checks every checkpoint
 * signature against the verifier key and the consistency between consecutive checkpoints, and
 * reports the first problem with its index.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify the audit log: every leaf, every checkpoint signature, consistency between checkpoints.",
      "With --kafka, verify the log's Kafka mirror from its topics instead; with --export, an export file.",
      "Exit 0 when the log verifies, 1 at the first problem (printed with its index), 2 on bad input."
    })
final class AuditVerifyCommand implements Callable<Integer> {
  /** Where the log to verify comes from: exactly one source. */
  static final class Source {
    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
        description = "Appliance data directory; the log is read from DIR/" + AuditLog.DIRECTORY + ".")
    Path dataDir;

    @ArgGroup(exclusive = false, multiplicity = "1")
    AuditVerifyKafkaSource kafka;

    @Option(names = "--export", required = true, paramLabel = "FILE",
        description = "An export (airlock audit export, or the console's proven export) instead of a log.")
    Path exportFile;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(names = "--verifier-key", required = true, paramLabel = "FILE|KEY",
      description = "The log's verifier key (name+keyid+base64key), or a file holding it.")
  String verifierKey;

  @Spec CommandSpec spec;

  /** Print a plain progress line this often when not on a terminal. */
  private static final long PLAIN_PROGRESS_EVERY = 1_000_000;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    NoteVerifier verifier;
    try {
      verifier = verifierKey(verifierKey);
    } catch (IOException | NoteFormatException e) {
      err.println("airlock audit verify: " + e.getMessage());
      return AuditCommand.EXIT_BAD_INPUT;
    }
    if (source.kafka != null) {
      return source.kafka.verify(verifier, out, err);
    }
    if (source.exportFile != null) {
      return verifyExport(verifier, out, err);
    }
    Path logDir = AuditLog.directoryIn(source.dataDir);
    VerificationReport report;
    try {
      var reader = AuditCommand.reader(source.dataDir);
      if (System.console() != null) {
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("verify").setStyle(ProgressBarStyle.ASCII)
            .setUnit(" entries", 1).continuousUpdate().build()) {
          report = reader.verify(verifier, bar::stepTo);
        }
      } else {
        long[] printed = {0};
        LongConsumer plain = n -> {
          if (n / PLAIN_PROGRESS_EVERY > printed[0]) {
            printed[0] = n / PLAIN_PROGRESS_EVERY;
            err.println("verified " + n + " entries so far");
          }
        };
        report = reader.verify(verifier, plain);
      }
    } catch (AuditLogException e) {
      err.println("airlock audit verify: " + e.getMessage());
      return AuditCommand.EXIT_BAD_INPUT;
    }
    return answer(report, "log", "entries", logDir.toString(), verifier.verifierKey(), out, err);
  }

  /**
   * Prints a verification's outcome, for the log on disk or its mirror ({@code what}, whose entries
   * are {@code units}), and returns the exit code: a problem on standard error, success and notes
   * on standard output.
   */
  static int answer(VerificationReport report, String what, String units, String where, String verifierKey,
                    PrintWriter out, PrintWriter err) {
    if (report.problem().isPresent()) {
      VerificationReport.Problem p = report.problem().get();
      err.println("audit " + what + " verification FAILED at index " + p.index() + ": " + p.message());
      err.println("(" + report.entries() + " " + units + " and " + checkpoints(report.checkpoints())
          + " checked before it, in " + where + ")");
      return AuditCommand.EXIT_LOG_PROBLEM;
    }
    out.println("audit " + what + " OK: " + report.entries() + " " + units + " and " + checkpoints(report.checkpoints())
        + " verified in " + where + " with key " + verifierKey);
    report.notes().forEach(n -> out.println("note: " + n));
    return 0;
  }

  private int verifyExport(NoteVerifier verifier, PrintWriter out, PrintWriter err) {
    AuditExport.Check check;
    try (var in = Files.newBufferedReader(source.exportFile, StandardCharsets.UTF_8)) {
      check = AuditExport.verify(verifier, in);
    } catch (IOException | java.io.UncheckedIOException e) {
      err.println("airlock audit verify: cannot read " + source.exportFile + ": " + e.getMessage());
      return AuditCommand.EXIT_BAD_INPUT;
    }
    if (check.problem().isPresent()) {
      err.println("audit export verification FAILED: " + check.problem().get());
      return AuditCommand.EXIT_LOG_PROBLEM;
    }
    out.println("audit export OK: " + check.entries() + " entries" + (check.proven() ? " proven in " : " and ")
        + checkpoints(check.checkpoints()) + " verified in "
        + source.exportFile + " with key " + verifier.verifierKey());
    return 0;
  }

  /** The key as given, or the contents of the file it names. */
  static NoteVerifier verifierKey(String arg) throws IOException, NoteFormatException {
    Path p = Path.of(arg);
    String key = arg;
    if (!arg.contains("+") || Files.isRegularFile(p)) {
      if (!Files.isRegularFile(p)) {
        throw new NoteFormatException("--verifier-key '" + arg + "' is neither a verifier key "
            + "(name+keyid+base64key) nor a readable file");
      }
      key = Files.readString(p, StandardCharsets.UTF_8).strip();
    }
    return NoteVerifier.parse(key);
  }

  /** "1 checkpoint", "5 checkpoints". */
  static String checkpoints(long n) {
    return n + " checkpoint" + (n == 1 ? "" : "s");
  }
}
