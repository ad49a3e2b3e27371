package dev.airlock.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.List;
import java.util.Map;

/**
 * A compiled CEL condition: the escape hatch for what the built-in rule kinds cannot say. CEL is
 * Google's small, side-effect-free, always-terminating expression language (used by Kubernetes
 * admission policies), so a policy can never run arbitrary code.
 *
 * <p>Variables: {@code licenses} (list of maps: id, name, category, inherited_from), {@code org}
 * (map: monthly_active_users, eu_domiciled, commercial_use, multimodal_use; absent keys are
 * unknown) and {@code model} (map: name, subject, publisher, origin_country, quantization,
 * pickle_weights, custom_code, sbom).
 */
public final class CelCondition {
  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .addVar("licenses", ListType.create(MapType.create(SimpleType.STRING, SimpleType.DYN)))
          .addVar("org", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("model", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS)
          .setResultType(SimpleType.BOOL)
          .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  private final CelRuntime.Program program;

  private CelCondition(CelRuntime.Program program) {
    this.program = program;
  }

  /** A problem in an expression, at a 1-based line and column within the expression text. */
  record Problem(int line, int column, String message) {}

  /** Compiles an expression, or says what is wrong with it and where. */
  static CelCondition compile(String expression) throws CelProblems {
    try {
      CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
      return new CelCondition(RUNTIME.createProgram(ast));
    } catch (CelValidationException e) {
      List<Problem> problems =
          e.getErrors().stream()
              .map(
                  (CelIssue i) ->
                      new Problem(
                          Math.max(1, i.getSourceLocation().getLine()),
                          i.getSourceLocation().getColumn() + 1,
                          i.getMessage()))
              .toList();
      throw new CelProblems(problems);
    } catch (dev.cel.common.CelException e) {
      throw new CelProblems(List.of(new Problem(1, 1, e.getMessage())));
    }
  }

  /** True when the condition holds for these variables. */
  boolean test(Map<String, Object> variables) throws CelEvaluationException {
    return Boolean.TRUE.equals(program.eval(variables));
  }

  static final class CelProblems extends Exception {
    final List<Problem> problems;

    CelProblems(List<Problem> problems) {
      super(problems.toString());
      this.problems = problems;
    }
  }
}
