package dev.airlock.audit;

import java.util.List;
import java.util.Optional;

/**
 * What a full verification of a log found.
 *
 * @param entries entries read and re-hashed
 * @param checkpoints checkpoints whose signature and root were checked
 * @param problem the first problem found, if any; verification stops there
 * @param notes things worth knowing that are not problems (e.g. an unfinished write at the tail)
 */
public record VerificationReport(long entries, int checkpoints, Optional<Problem> problem, List<String> notes) {
  /**
   * The first thing wrong with a log.
   *
   * @param index the entry index the problem is at (for a checkpoint: its tree size)
   * @param message what is wrong and what to do
   */
  public record Problem(long index, String message) {}

  public VerificationReport {
    notes = List.copyOf(notes);
  }

  public boolean ok() {
    return problem.isEmpty();
  }
}
