package dev.airlock.server.vocabulary;

/**
 * A request the appliance's rules refuse: who may not do it ({@link Kind#FORBIDDEN}, 403) or the
 * state that forbids it now ({@link Kind#CONFLICT}, 409). The message tells the person what to do
 * instead; the code names the rule for programs. The JSON API and the console map it the same way.
 */
public final class Refusal extends RuntimeException implements Refused {
  /** What kind of "no" it is. */
  public enum Kind {
    /** This caller may not do it, whatever the state. */
    FORBIDDEN(403),
    /** Nobody may do it in the present state. */
    CONFLICT(409);

    private final int status;

    Kind(int status) {
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final Kind kind;
  private final String code;

  private Refusal(Kind kind, String code, String message) {
    super(message, null, false, false);
    this.kind = kind;
    this.code = code;
  }

  public static Refusal forbidden(String code, String message) {
    return new Refusal(Kind.FORBIDDEN, code, message);
  }

  public static Refusal conflict(String code, String message) {
    return new Refusal(Kind.CONFLICT, code, message);
  }

  public Kind kind() {
    return kind;
  }

  @Override
  public int status() {
    return kind.status();
  }

  /** The rule, for programs: {@code separation_of_duties}, {@code own_proposal}, ... */
  @Override
  public String code() {
    return code;
  }
}
