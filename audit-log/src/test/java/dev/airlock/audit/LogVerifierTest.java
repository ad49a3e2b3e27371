package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.note.NoteVerifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source-independent verifier, fed as a mirror's consumer would feed it. */
class LogVerifierTest {
  @TempDir Path dir;

  List<String> notes;
  byte[][] leaves;

  void writeLog(int n) {
    try (AuditLog log = AuditLog.open(dir, AuditLogTest.KEYS, AuditLogTest.options().withCheckpointEntries(4))) {
      for (int i = 0; i < n; i++) {
        log.append(AuditLogTest.request("s" + i, "p" + i));
      }
      log.checkpoint();
      notes = log.checkpoints().stream().map(Checkpoint::signedNote).toList();
      leaves = new byte[n][];
      for (int i = 0; i < n; i++) {
        leaves[i] = log.leaf(i);
      }
    }
  }

  VerificationReport feed(long... order) throws Exception {
    try (LogVerifier v = new LogVerifier(NoteVerifier.parse(AuditLogTest.KEYS.verifierKey()), notes, n -> {})) {
      for (long i : order) {
        v.entry(i, leaves[(int) i]);
      }
      return v.finish(Optional.empty(), List.of());
    }
  }

  @Test
  void acceptsEveryEntryInOrder() throws Exception {
    writeLog(10);
    VerificationReport r = feed(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(r.problem()).isEmpty();
    assertThat(r.entries()).isEqualTo(10);
    assertThat(r.checkpoints()).isEqualTo(3); // 4, 8, 10
  }

  @Test
  void reportsAGapAsMissingEntries() throws Exception {
    writeLog(10);
    VerificationReport r = feed(0, 1, 2, 5, 6);
    assertThat(r.problem().get().index()).isEqualTo(3);
    assertThat(r.problem().get().message()).isEqualTo("entries 3..4 are missing (the next entry present is 5)");
  }

  @Test
  void reportsASwappedPairThroughTheSignedRoot() throws Exception {
    writeLog(10);
    byte[] t = leaves[1];
    leaves[1] = leaves[2];
    leaves[2] = t;
    VerificationReport r = feed(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(r.problem().get().index()).isEqualTo(3);
    assertThat(r.problem().get().message()).startsWith("checkpoint #1 (tree size 4) signs root");
  }

  @Test
  void reportsEntriesThatNeverArrived() throws Exception {
    writeLog(10);
    VerificationReport r = feed(0, 1, 2, 3, 4, 5);
    assertThat(r.problem().get().message()).contains("checkpoint #2 covers 8 entries but the log holds only 6");
  }
}
