package dev.airlock.server.api;

import dev.airlock.server.vocabulary.Problems;
import dev.airlock.server.auditing.AuditRefusedException;
import dev.airlock.server.auditing.ErasureRequests;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;

/**
 * {@link Api#run} plus the audit services' own refusals: an access the log could not record is
 * 503 (nothing was returned), an entry past the log's end 404, a refused erasure step 409.
 */
final class AuditAnswers {
  private AuditAnswers() {}

  static MutableHttpResponse<?> run(HttpStatus success, Api.Action action) {
    try {
      return Api.run(success, action);
    } catch (AuditRefusedException e) {
      return Problems.write(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage(), "audit_unavailable");
    } catch (IndexOutOfBoundsException e) {
      return Problems.write(HttpStatus.NOT_FOUND, e.getMessage(), "not_found");
    } catch (ErasureRequests.ErasureRefusedException e) {
      return Problems.write(HttpStatus.CONFLICT, e.getMessage(), "erasure_refused");
    }
  }
}
