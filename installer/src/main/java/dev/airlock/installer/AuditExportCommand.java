package dev.airlock.installer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.airlock.audit.AuditLogException;
import dev.airlock.audit.AuditLogReader;
import dev.airlock.audit.note.CheckpointBody;
import dev.airlock.audit.note.NoteFormatException;
import dev.airlock.audit.note.SignedNote;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code airlock audit export}: the log as JSON lines, one {@code {"index": I, "leaf": "<base64>"}}
 * per entry and one {@code {"checkpoint": "<signed note>"}} per checkpoint, each checkpoint right
 * after the last entry it covers, so a reader can check it as soon as it arrives.
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

  private static final JsonFactory JSON = new JsonFactory();

  record Pending(long size, String note) {}

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
      AuditLogReader reader = AuditCommand.reader(dataDir);
      // Checkpoints first read, then entries: a checkpoint never covers more than what is on disk.
      List<Pending> cps = new ArrayList<>();
      for (String note : reader.checkpointNotes()) {
        cps.add(new Pending(sizeOf(note), note));
      }
      int[] next = {0};
      while (next[0] < cps.size() && cps.get(next[0]).size() <= from) {
        if (cps.get(next[0]).size() == from && from == 0) {
          checkpointLine(out, cps.get(next[0]).note());
        }
        next[0]++;
      }
      Base64.Encoder b64 = Base64.getEncoder();
      reader.entries(from, end, (index, leaf) -> {
        out.print("{\"index\": " + index + ", \"leaf\": \"" + b64.encodeToString(leaf) + "\"}\n");
        while (next[0] < cps.size() && cps.get(next[0]).size() == index + 1) {
          checkpointLine(out, cps.get(next[0]).note());
          next[0]++;
        }
        while (next[0] < cps.size() && cps.get(next[0]).size() <= index + 1) {
          next[0]++;
        }
      });
      out.flush();
      return 0;
    } catch (AuditLogException e) {
      out.flush();
      err.println("airlock audit export: " + e.getMessage());
      return AuditCommand.EXIT_LOG_PROBLEM;
    }
  }

  private static long sizeOf(String note) {
    try {
      return CheckpointBody.parse(SignedNote.parse(note).text()).size();
    } catch (NoteFormatException e) {
      throw new AuditLogException("a stored checkpoint is malformed (" + e.getMessage() + "); run 'airlock audit verify'");
    }
  }

  private static void checkpointLine(PrintWriter out, String note) {
    try {
      // Jackson escapes the note (newlines, quotes); the line keeps the spacing.
      StringWriter w = new StringWriter();
      try (JsonGenerator g = JSON.createGenerator(w)) {
        g.writeString(note);
      }
      out.print("{\"checkpoint\": " + w + "}\n");
    } catch (IOException e) {
      throw new IllegalStateException("writing JSON to memory cannot fail", e);
    }
  }
}
