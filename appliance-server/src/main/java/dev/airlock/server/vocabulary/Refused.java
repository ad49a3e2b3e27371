package dev.airlock.server.vocabulary;

/**
 * A refusal of the appliance's rules, whoever defines it ({@link Refusal}, the review's
 * {@code ApprovalRefused}): the status it answers with and a stable code for programs; the
 * exception's message says what to do instead. {@link Problems} answers every one the same way.
 */
public interface Refused {
  /** The HTTP status: 400 bad input, 403 not yours to do, 404 unknown, 409 the state forbids it. */
  int status();

  /** The rule, for programs: {@code separation_of_duties}, {@code importer_cannot_approve}, ... */
  String code();
}
