package dev.airlock.server.console;

import dev.airlock.server.auditing.RequestCharts;
import dev.airlock.server.auditing.AuditExports;
import dev.airlock.server.auditing.AuditViews;
import dev.airlock.server.auditing.AuditFilters;
import dev.airlock.audit.index.AuditIndex;
import dev.airlock.audit.index.DayCount;
import dev.airlock.server.ApplianceConfig;
import dev.airlock.server.auditing.AuditIntegrity;
import dev.airlock.server.auditing.AuditRefusedException;
import dev.airlock.server.auditing.AuditSearch;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The security analyst's pages (AUDITOR): search the audit log with charts of requests per day,
 * open one record with its decrypted content and inclusion proof, download a proven export, and
 * check the log's integrity. Every search, view and export is itself audited by the services; when
 * that record cannot be written the page answers 503 and shows nothing.
 */
@Produces(MediaType.TEXT_HTML)
@Controller("/console/audit")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.AUDITOR)
public class AuditController {
  /** Results per page: a screenful, and a cheap query. */
  static final int PAGE_SIZE = 50;

  private final AuditSearch search;
  private final AuditIntegrity integrity;
  private final AuditExports exports;
  private final Pages pages;
  private final ApplianceConfig config;

  public AuditController(AuditSearch search, AuditIntegrity integrity, AuditExports exports, Pages pages,
      ApplianceConfig config) {
    this.search = search;
    this.integrity = integrity;
    this.exports = exports;
    this.pages = pages;
    this.config = config;
  }

  @Get
  public Object search(HttpRequest<?> request, @Nullable @QueryValue String cursor, @Nullable @QueryValue String page) {
    AuditFilters filters = AuditFilters.of(request);
    Map<String, String> form = new LinkedHashMap<>();
    AuditFilters.NAMES.forEach(n -> form.put(n, filters.get(n)));
    Page p = Page.of(request, "audit", "Audit log").with("filters", form).with("filterQuery", filters.queryString())
        .with("integrity", integrityLine());
    AuditSearch.Query query;
    try {
      query = filters.query();
      if (cursor != null && !cursor.isBlank()) query = query.after(cursor.strip());
    } catch (IllegalArgumentException e) {
      return pages.render(p.error(SignInController.capitalize(e.getMessage()) + "."), HttpStatus.BAD_REQUEST);
    }
    Optional<RequestCharts.Days> days;
    try {
      days = Optional.of(RequestCharts.Days.of(query.from(), query.to(), Instant.now()));
    } catch (IllegalArgumentException e) {
      days = Optional.empty(); // a valid search whose range no chart can show (too long, in the future)
      p.with("chartNote", "No charts for this time range: " + e.getMessage() + ".");
    }
    int pageNumber = pageNumber(page);
    AuditSearch.Page result;
    try {
      result = search.search(query, PAGE_SIZE, 0, Access.require(request).username());
    } catch (AuditRefusedException e) {
      return pages.render(p.error(refused(e)), HttpStatus.SERVICE_UNAVAILABLE);
    }
    days.ifPresent(d -> {
      String range = "from=" + d.from() + "&to=" + d.to();
      p.with("charts", List.of(chart(d, AuditIndex.GroupBy.MODEL, range), chart(d, AuditIndex.GroupBy.APP, range)))
          .with("chartDays", d.first() + " to " + d.last());
    });
    p.with("results", result.entries().stream().map(AuditViews::summary).toList())
        .with("logSize", result.logSize())
        .with("behind", result.behind())
        .with("firstShown", (long) (pageNumber - 1) * PAGE_SIZE + 1)
        .with("lastShown", (long) (pageNumber - 1) * PAGE_SIZE + result.entries().size())
        .with("pageNumber", pageNumber);
    result.next().ifPresent(next -> p.with("nextLink", "/console/audit?" + join(filters.queryString(),
        "cursor=" + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8) + "&page=" + (pageNumber + 1))));
    p.with("exportLink", "/console/audit/export" + (filters.queryString().isEmpty() ? "" : "?" + filters.queryString()));
    return pages.ok(p);
  }

  @Get("/records/{index}")
  public Object record(HttpRequest<?> request, @PathVariable String index) {
    long i;
    try {
      i = Long.parseLong(index);
    } catch (NumberFormatException e) {
      return pages.render(Page.of(request, "audit-record", "Audit record")
          .error("'" + index + "' is not an entry number: records are numbered from 0."), HttpStatus.NOT_FOUND);
    }
    try {
      AuditSearch.RecordView view = search.record(i, Access.require(request).username());
      Page p = Page.of(request, "audit-record", "Audit record " + i).with("r", AuditViews.record(view));
      return pages.ok(p);
    } catch (IndexOutOfBoundsException e) {
      return pages.render(Page.of(request, "audit-record", "Audit record " + i)
          .error(SignInController.capitalize(e.getMessage()) + "."), HttpStatus.NOT_FOUND);
    } catch (AuditRefusedException e) {
      return pages.render(Page.of(request, "audit-record", "Audit record " + i).error(refused(e)),
          HttpStatus.SERVICE_UNAVAILABLE);
    }
  }

  /** The proven export of the search's matches, as a file download. */
  @Get("/export")
  @Produces({AuditExports.MEDIA_TYPE, MediaType.TEXT_HTML})
  public Object export(HttpRequest<?> request) {
    try {
      return exports.download(AuditFilters.of(request).query(), Access.require(request).username());
    } catch (IllegalArgumentException e) {
      return pages.render(Page.of(request, "audit-record", "Export")
          .error(SignInController.capitalize(e.getMessage()) + "."), HttpStatus.BAD_REQUEST);
    } catch (AuditRefusedException e) {
      return pages.render(Page.of(request, "audit-record", "Export").error(refused(e)), HttpStatus.SERVICE_UNAVAILABLE);
    }
  }

  /** A chart of requests per day as an SVG image, for the search page's {@code <img>}. */
  @Get("/charts/requests.svg")
  @Produces({"image/svg+xml", MediaType.TEXT_PLAIN})
  public MutableHttpResponse<String> chartSvg(@Nullable @QueryValue String by, @Nullable @QueryValue String from,
      @Nullable @QueryValue String to) {
    try {
      AuditIndex.GroupBy group = RequestCharts.groupBy(by);
      RequestCharts.Days days = RequestCharts.Days.of(time("from", from), time("to", to), Instant.now());
      String svg = RequestCharts.svg(days, group, RequestCharts.counts(search, days, group));
      return HttpResponse.ok(svg).contentType("image/svg+xml;charset=utf-8");
    } catch (IllegalArgumentException e) {
      return HttpResponse.<String>badRequest(e.getMessage()).contentType(MediaType.TEXT_PLAIN_TYPE);
    }
  }

  @Get("/integrity")
  public Object integrity(HttpRequest<?> request) {
    return pages.ok(integrityPage(request));
  }

  /** Runs a full verification of the log now and shows its result. */
  @Post(uri = "/integrity", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object verifyNow(HttpRequest<?> request) {
    try {
      AuditIntegrity.Verification v = integrity.verifyNow(Access.require(request).username());
      Page p = integrityPage(request);
      if (v.ok()) {
        return pages.ok(p.notice("The whole log verified: " + v.entries() + " entries and " + v.checkpoints()
            + " checkpoint" + (v.checkpoints() == 1 ? "" : "s") + ", nothing altered or missing."));
      }
      return pages.ok(p.error("The log did NOT verify: " + v.problem().orElse("a problem") + v.problemIndex()
          .map(i -> " (first problem at entry " + i + ")").orElse("") + "."));
    } catch (IllegalStateException e) {
      return pages.render(integrityPage(request).error(SignInController.capitalize(e.getMessage()) + "."),
          HttpStatus.CONFLICT);
    } catch (AuditRefusedException e) {
      return pages.render(integrityPage(request).error(refused(e)), HttpStatus.SERVICE_UNAVAILABLE);
    }
  }

  private Page integrityPage(HttpRequest<?> request) {
    AuditIntegrity.Status s = integrity.status();
    String dataDir = config.getDataDir().toAbsolutePath().normalize().toString();
    return Page.of(request, "audit-integrity", "Audit log integrity")
        .with("s", AuditViews.integrity(s))
        .with("verifyLogCommand", "airlock audit verify --data-dir " + shellQuote(dataDir) + " --verifier-key "
            + shellQuote(s.verifierKey()))
        .with("verifyExportCommand", "airlock audit verify --export airlock-audit-export.jsonl --verifier-key "
            + shellQuote(s.verifierKey()));
  }

  /** The one line on the search page about the log's integrity. */
  private Map<String, Object> integrityLine() {
    AuditIntegrity.Status s = integrity.status();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("logSize", s.logSize());
    s.latestCheckpoint().ifPresent(cp -> {
      m.put("checkpointSize", cp.size());
      m.put("checkpointVerified", cp.signatureVerified());
    });
    s.lastVerification().ifPresent(v -> {
      m.put("verifiedAt", v.finishedAt().toString());
      m.put("verifiedOk", v.ok());
    });
    return m;
  }

  private Map<String, Object> chart(RequestCharts.Days days, AuditIndex.GroupBy by, String range) {
    List<DayCount> counts = RequestCharts.counts(search, days, by);
    String noun = RequestCharts.noun(by);
    return Map.of("title", "Requests per day by " + noun,
        "src", "/console/audit/charts/requests.svg?by=" + noun + "&" + range,
        "alt", RequestCharts.describe(days, by, counts));
  }

  static String refused(AuditRefusedException e) {
    return "Nothing is shown: the audit log could not record this access, and no access goes unrecorded. "
        + SignInController.capitalize(e.getMessage()) + ".";
  }

  private static Optional<Instant> time(String name, String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(AuditFilters.parseTime(name, value.strip()));
  }

  private static int pageNumber(String page) {
    try {
      return page == null ? 1 : Math.max(1, Math.min(1_000_000, Integer.parseInt(page)));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static String join(String a, String b) {
    return a.isEmpty() ? b : a + "&" + b;
  }

  /** A single-quoted shell word: safe to paste whatever the value holds. */
  static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
