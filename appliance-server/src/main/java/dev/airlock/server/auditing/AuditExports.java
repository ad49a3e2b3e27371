package dev.airlock.server.auditing;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.types.files.StreamedFile;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Proven exports as file downloads, for the console and the JSON API. The export is written to a
 * private temporary file first, so a refusal (the access could not be audited, too many entries)
 * still gets its proper status instead of a half-sent body; the file is unlinked as soon as it is
 * open and disappears when the download ends.
 */
@Singleton
public class AuditExports {
  /** JSON lines ({@code docs/audit-log-format.md} section 7). */
  public static final String MEDIA_TYPE = "application/jsonl";

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  private final AuditSearch search;

  public AuditExports(AuditSearch search) {
    this.search = search;
  }

  /** The file name a download gets: {@code airlock-audit-export-20261121T143000Z.jsonl}. */
  public static String fileName(Instant at) {
    return "airlock-audit-export-" + STAMP.format(at) + ".jsonl";
  }

  /**
   * The matches of {@code query} as a proven export, recorded as {@code audit.exported} by {@code viewer}.
   *
   * @throws IllegalArgumentException too many entries match
   * @throws AuditRefusedException the export could not be recorded; nothing is sent
   */
  public MutableHttpResponse<StreamedFile> download(AuditSearch.Query query, String viewer) {
    Path tmp;
    try {
      tmp = Files.createTempFile("airlock-audit-export-", ".jsonl");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary file for the export: " + e.getMessage(), e);
    }
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        search.export(query, out, viewer);
      }
      InputStream in = Files.newInputStream(tmp);
      Files.deleteIfExists(tmp);
      StreamedFile file = new StreamedFile(in, MediaType.of(MEDIA_TYPE));
      return HttpResponse.ok(file).contentType(MEDIA_TYPE + ";charset=utf-8")
          .header("Content-Disposition", "attachment; filename=" + fileName(Instant.now()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the export: " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        // the file is already gone or its directory is unwritable; nothing more to do here
      }
    }
  }
}
