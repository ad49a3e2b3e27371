package dev.airlock.installer;

import dev.airlock.audit.AuditLogException;
import dev.airlock.audit.note.TlogProof;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code airlock audit prove}: a C2SP tlog-proof that entry I is in the log, against the latest
 * checkpoint covering it; the leaf bytes ride along as the proof's extra data.
 */
@Command(
    name = "prove",
    mixinStandardHelpOptions = true,
    description = {
      "Print a C2SP tlog-proof (c2sp.org/tlog-proof@v1) that entry I is in the log: the leaf bytes",
      "(as extra data), the inclusion proof and the signed checkpoint it is proven against."
    })
final class AuditProveCommand implements Callable<Integer> {
  @Option(names = "--data-dir", required = true, paramLabel = "DIR",
      description = "Appliance data directory; the log is read from DIR/audit.")
  Path dataDir;

  @Option(names = "--index", required = true, paramLabel = "I", description = "Index of the entry to prove.")
  long index;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the proof to FILE (conventionally *.tlog-proof) instead of stdout.")
  Path outFile;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (index < 0) {
      err.println("airlock audit prove: --index must be >= 0, got " + index);
      return AuditCommand.EXIT_BAD_INPUT;
    }
    TlogProof proof;
    try {
      proof = AuditCommand.reader(dataDir).prove(index);
    } catch (AuditLogException e) {
      err.println("airlock audit prove: " + e.getMessage());
      return AuditCommand.EXIT_LOG_PROBLEM;
    }
    if (outFile != null) {
      Files.writeString(outFile, proof.format(), StandardCharsets.UTF_8);
      out.println("wrote the proof of entry " + index + " to " + outFile);
    } else {
      out.print(proof.format());
      out.flush();
    }
    return 0;
  }
}
