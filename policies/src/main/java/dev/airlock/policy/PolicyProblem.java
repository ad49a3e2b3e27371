package dev.airlock.policy;

/**
 * One thing wrong with a policy file, where it is (1-based line and column) and what to do.
 *
 * @param path where in the policy's structure, e.g. {@code rules[2].verdict}
 */
public record PolicyProblem(int line, int column, String path, String message) {
  @Override
  public String toString() {
    return line + ":" + column + ": " + (path.isEmpty() ? "" : path + ": ") + message;
  }
}
