package dev.airlock.installer;

import dev.airlock.policy.InvalidPolicyException;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyFile;
import dev.airlock.policy.PolicyProblem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code airlock policy validate FILE}: every problem with its line and column. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check a policy file: schema, rule kinds, parameters, contradictions.",
      "",
      "Checks the file against the policy schema (docs/policy.schema.json) and for contradictory"
          + " rules; prints FILE:LINE:COLUMN: PROBLEM for each problem. Exit 0 when valid, 1 when not.",
    })
final class PolicyValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "The policy file (YAML).")
  Path file;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Policy p = PolicyFile.read(file);
      out.println(file + ": valid policy '" + p.name() + "' with " + p.rules().size() + " rule"
          + (p.rules().size() == 1 ? "" : "s") + ".");
      return 0;
    } catch (InvalidPolicyException e) {
      for (PolicyProblem p : e.problems()) err.println(file + ":" + p);
      err.println(file + ": " + e.problems().size() + " problem" + (e.problems().size() == 1 ? "" : "s")
          + "; the policy language is described in docs/policies.md.");
      return PolicyCommand.EXIT_BAD_INPUT;
    } catch (IOException e) {
      err.println("airlock policy validate: cannot read " + file + ": " + describe(e));
      return PolicyCommand.EXIT_BAD_INPUT;
    }
  }

  static String describe(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException n) {
      return n.getReason() == null ? "no such file" : n.getReason();
    }
    return e.getMessage();
  }
}
