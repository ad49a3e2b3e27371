package dev.airlock.server.apps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogException;
import dev.airlock.server.gateway.OperatorAuth;
import dev.airlock.vault.ImportResult;
import dev.airlock.vault.Progress;
import dev.airlock.vault.Vault;
import dev.airlock.vault.bundle.BundleRejectedException;
import dev.airlock.vault.catalog.LifecycleEvent;
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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code POST /admin/bundles}: a bundle streamed to the running server (what
 * {@code airlock bundle import --server} sends). The request body goes straight into
 * {@link Vault#importBundle}, which re-verifies everything against this server's trust store;
 * nothing is buffered beyond the vault's own bounded buffers. Every attempt is audited.
 */
@Controller("/admin")
@ExecuteOn(TaskExecutors.BLOCKING)
public class BundleController {
  /** The media type of a bundle (a POSIX tar). */
  public static final String TAR = "application/x-tar";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vault vault;
  private final AuditLog audit;
  private final OperatorAuth auth;
  /** One import at a time: the vault's staging and free-space check assume it. */
  private final ReentrantLock oneImportAtATime = new ReentrantLock();

  public BundleController(Vault vault, AuditLog audit, OperatorAuth auth) {
    this.vault = vault;
    this.audit = audit;
    this.auth = auth;
  }

  @Post(uri = "/bundles", consumes = {TAR, MediaType.APPLICATION_OCTET_STREAM})
  public MutableHttpResponse<?> importBundle(HttpRequest<?> request, @Body InputStream body) {
    String actor;
    try {
      actor = auth.require(request);
    } catch (OperatorAuth.Refused e) {
      return unread(AdminController.problem(HttpStatus.valueOf(e.status()), e.getMessage(), "unauthorized"));
    }
    Upload upload = new Upload(body);
    oneImportAtATime.lock();
    try {
      return imported(actor, vault.importBundle(upload, actor, Progress.NONE));
    } catch (BundleRejectedException e) {
      return refused(actor, upload, statusOf(e), e.getMessage(),
          "bundle_" + e.problem().name().toLowerCase(Locale.ROOT));
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
      return AdminController.problem(HttpStatus.SERVICE_UNAVAILABLE,
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
    r.event().ifPresent(e -> audit.append(AdminRecords.of("model.lifecycle", actor, lifecycle(e))));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("outcome", fresh ? "imported" : "already_present");
    out.put("message", fresh ? "Imported " + v.modelName() + " " + v.version()
        : "Already in the vault: " + v.modelName() + " " + v.version() + " (bundle "
            + v.provenance().bundleId() + "); nothing changed");
    out.put("model", v.modelName());
    out.put("version", v.version());
    out.put("versionId", v.id());
    out.put("state", v.state().name());
    out.put("bundleId", v.provenance().bundleId());
    out.put("files", r.files());
    out.put("newBlobs", r.newBlobs());
    out.put("bytesCopied", r.bytes());
    out.put("transferSigner", v.provenance().transferSignerName());
    Map<String, Object> ps = new LinkedHashMap<>();
    ps.put("status", v.provenance().publisherSignature().status().name());
    ps.put("detail", v.provenance().publisherSignature().detail());
    out.put("publisherSignature", ps);
    Map<String, Object> record = new LinkedHashMap<>(out);
    record.remove("message");
    record.remove("publisherSignature");
    record.put("publisherSignature", ps.get("status"));
    audit.append(AdminRecords.of("admin.bundle.import", actor, record));
    return json(fresh ? HttpStatus.CREATED : HttpStatus.OK, out);
  }

  private MutableHttpResponse<?> refused(String actor, Upload upload, HttpStatus status, String message, String code) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("code", code);
    record.put("reason", message);
    record.put("bytesReceived", upload.bytes);
    audit.append(AdminRecords.of("admin.bundle.refused", actor, record));
    return unread(AdminController.problem(status, message, code));
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

  private static Map<String, Object> lifecycle(LifecycleEvent e) {
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("eventId", e.eventId());
    l.put("catalogVersionId", e.versionId());
    l.put("catalogModel", e.modelName());
    l.put("catalogVersion", e.modelVersion());
    l.put("from", e.from().map(Enum::name).orElse(null));
    l.put("to", e.to().name());
    return l;
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
