package dev.airlock.server.apps;

import dev.airlock.server.vocabulary.Problems;
import dev.airlock.server.vocabulary.AdminRecords;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogException;
import dev.airlock.server.review.ModelReviews;
import dev.airlock.server.review.Review;
import dev.airlock.vault.ImportResult;
import dev.airlock.vault.Progress;
import dev.airlock.vault.Vault;
import dev.airlock.vault.bundle.BundleRejectedException;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelVersion;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code POST /admin/bundles}: a bundle streamed to the running server (what
 * {@code airlock bundle import --server} sends). The request body goes straight into
 * {@link Vault#importBundle}, which re-verifies everything against this server's trust store;
 * nothing is buffered beyond the vault's own bounded buffers. Every attempt is audited. A new
 * import is reviewed at once ({@link ModelReviews#review}): the answer carries the verdict.
 */
@Allowed(value = Role.ADMIN, operatorToken = true)
@Controller("/admin")
@ExecuteOn(TaskExecutors.BLOCKING)
public class BundleController {
  /** The media type of a bundle (a POSIX tar). */
  public static final String TAR = "application/x-tar";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vault vault;
  private final AuditLog audit;
  private final ModelReviews reviews;
  /** One import at a time: the vault's staging and free-space check assume it. */
  private final ReentrantLock oneImportAtATime = new ReentrantLock();

  public BundleController(Vault vault, AuditLog audit, ModelReviews reviews) {
    this.vault = vault;
    this.audit = audit;
    this.reviews = reviews;
  }

  @Post(uri = "/bundles", consumes = {TAR, MediaType.APPLICATION_OCTET_STREAM})
  public MutableHttpResponse<?> importBundle(HttpRequest<?> request, @Body InputStream body) {
    String actor = Access.require(request).actorName();
    Upload upload = new Upload(body);
    oneImportAtATime.lock();
    try {
      return imported(actor, vault.importBundle(upload, actor, Progress.NONE));
    } catch (BundleRejectedException e) {
      return refused(actor, upload, statusOf(e), e.getMessage(),
          e.code());
    } catch (IOException | UncheckedIOException e) {
      if (upload.failure != null) {
        return refused(actor, upload, HttpStatus.BAD_REQUEST, "The upload stopped after " + upload.bytes
            + " bytes (" + upload.failure.getMessage() + "), so nothing was imported: send the bundle again.",
            "upload_incomplete");
      }
      return refused(actor, upload, HttpStatus.INTERNAL_SERVER_ERROR, "The vault could not store the bundle ("
          + e.getMessage() + "), so nothing was imported: check the data directory's disk and permissions,"
          + " then send it again.", "vault_io_error");
    } catch (AuditLogException e) {
      return Problems.write(HttpStatus.SERVICE_UNAVAILABLE,
          "The audit log cannot record this import. The vault's catalog may now hold the model in state"
              + " IMPORTED (never served as is): restore the audit log, then check 'airlock vault list'.",
          "audit_unavailable");
    } finally {
      oneImportAtATime.unlock();
    }
  }

  private MutableHttpResponse<?> imported(String actor, ImportResult r) {
    ModelVersion v = r.version();
    boolean fresh = r.outcome() == ImportResult.Outcome.IMPORTED;
    r.eventAuditDetails().ifPresent(d -> audit.append(AdminRecords.of("model.lifecycle", actor, d)));
    Map<String, Object> record = r.auditDetails();
    audit.append(AdminRecords.of("admin.bundle.import", actor, record));
    // The answer: the record's fields, the message after the outcome, the publisher signature in full.
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("outcome", record.get("outcome"));
    out.put("message", fresh ? "Imported " + v.modelName() + " " + v.version()
        : "Already in the vault: " + v.modelName() + " " + v.version() + " (bundle "
            + v.provenance().bundleId() + "); nothing changed");
    out.putAll(record);
    Map<String, Object> ps = new LinkedHashMap<>();
    ps.put("status", v.provenance().publisherSignature().status().name());
    ps.put("detail", v.provenance().publisherSignature().detail());
    out.put("publisherSignature", ps);
    // A version the catalog holds as IMPORTED has no verdict yet (new, or its review failed before).
    if (v.state() == LifecycleState.IMPORTED) {
      Map<String, Object> review = review(actor, v);
      if (review.containsKey("verdict")) out.put("verdict", review.get("verdict"));
      out.put("review", review);
    }
    return json(fresh ? HttpStatus.CREATED : HttpStatus.OK, out);
  }

  /**
   * The import stands whatever the review does: a review that cannot run leaves the version
   * IMPORTED (never served) and says how to retry; only an audit log that cannot record it
   * fails the request, as everywhere.
   */
  private Map<String, Object> review(String actor, ModelVersion v) {
    Map<String, Object> out = new LinkedHashMap<>();
    try {
      Review r = reviews.review(v.id(), AdminRecords.actor(actor));
      out.put("outcome", "reviewed");
      out.put("reviewId", r.id());
      out.put("verdict", r.verdict().name());
      out.put("policy", r.policyName());
      out.put("policyVersion", r.policyVersion());
      out.put("requiredApprovals", r.requiredApprovals());
      out.put("state", r.verdict() == dev.airlock.policy.Verdict.DENY ? LifecycleState.DENIED.name()
          : LifecycleState.UNDER_REVIEW.name());
      out.put("notes", r.notes());
    } catch (AuditLogException e) {
      throw e;
    } catch (RuntimeException e) {
      out.put("outcome", "not_reviewed");
      out.put("state", LifecycleState.IMPORTED.name());
      out.put("message", "The model was imported but could not be reviewed (" + e.getMessage()
          + "); it stays IMPORTED and is never served. Import the bundle again to retry the review.");
    }
    return out;
  }

  private MutableHttpResponse<?> refused(String actor, Upload upload, HttpStatus status, String message, String code) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("code", code);
    record.put("reason", message);
    record.put("bytesReceived", upload.bytes);
    audit.append(AdminRecords.of("admin.bundle.refused", actor, record));
    return unread(Problems.write(status, message, code));
  }

  /**
   * A refusal may come before the whole body was read (bad token, untrusted signer); closing the
   * connection after the answer keeps the client from reusing a connection with bytes still in
   * flight.
   */
  private static MutableHttpResponse<?> unread(MutableHttpResponse<?> response) {
    return response.header(HttpHeaders.CONNECTION, "close");
  }

  /** Not enough space is the server's condition (507); everything else is the bundle's fault. */
  private static HttpStatus statusOf(BundleRejectedException e) {
    return e.problem() == BundleRejectedException.Problem.NOT_ENOUGH_SPACE
        ? HttpStatus.INSUFFICIENT_STORAGE : HttpStatus.UNPROCESSABLE_ENTITY;
  }

  private static MutableHttpResponse<?> json(HttpStatus status, Object body) {
    try {
      return HttpResponse.status(status).body(JSON.writeValueAsBytes(body)).contentType(MediaType.APPLICATION_JSON_TYPE);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The request body as the vault reads it: counts what arrived and remembers a failure to read
   * it, so an upload cut short is told apart from the vault's own disk trouble.
   */
  private static final class Upload extends FilterInputStream {
    volatile long bytes;
    volatile IOException failure;

    Upload(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        int b = super.read();
        if (b >= 0) bytes++;
        return b;
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        int n = super.read(b, off, len);
        if (n > 0) bytes += n;
        return n;
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        long s = super.skip(n);
        bytes += s;
        return s;
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }
  }
}
