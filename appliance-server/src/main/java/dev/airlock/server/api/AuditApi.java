package dev.airlock.server.api;

import dev.airlock.server.vocabulary.Problems;
import dev.airlock.audit.index.AuditIndex;
import dev.airlock.audit.index.DayCount;
import dev.airlock.server.auditing.AuditIntegrity;
import dev.airlock.server.auditing.AuditRefusedException;
import dev.airlock.server.auditing.AuditSearch;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auditing.AuditExports;
import dev.airlock.server.auditing.AuditFilters;
import dev.airlock.server.auditing.AuditViews;
import dev.airlock.server.auditing.RequestCharts;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
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
 * The audit log over JSON for security analysts (AUDITOR), the same operations as the console's
 * audit pages: search, one record with its proof, the proven export, integrity, charts' counts.
 * Searches, views and exports are audited first; when they cannot be, the answer is 503.
 */
@Controller("/admin/audit")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.AUDITOR)
public class AuditApi {
  /** Results per page unless {@code limit} says otherwise. */
  static final int DEFAULT_LIMIT = 50;

  private final AuditSearch search;
  private final AuditIntegrity integrity;
  private final AuditExports exports;

  public AuditApi(AuditSearch search, AuditIntegrity integrity, AuditExports exports) {
    this.search = search;
    this.integrity = integrity;
    this.exports = exports;
  }

  @Get("/records")
  public MutableHttpResponse<?> records(HttpRequest<?> request, @Nullable @QueryValue String limit,
      @Nullable @QueryValue String cursor) {
    return AuditAnswers.run(HttpStatus.OK, () -> {
      AuditFilters filters = AuditFilters.of(request);
      AuditSearch.Query q = filters.query();
      if (cursor != null && !cursor.isBlank()) q = q.after(cursor.strip());
      AuditSearch.Page page = search.search(q, limit(limit), 0, Access.require(request).username());
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("filters", filters.values());
      out.putAll(AuditViews.page(page));
      return out;
    });
  }

  @Get("/records/{index}")
  public MutableHttpResponse<?> record(HttpRequest<?> request, @PathVariable String index) {
    return AuditAnswers.run(HttpStatus.OK, () -> {
      long i;
      try {
        i = Long.parseLong(index);
      } catch (NumberFormatException e) {
        throw new java.util.NoSuchElementException("'" + index + "' is not an entry number: records are numbered from 0");
      }
      return AuditViews.record(search.record(i, Access.require(request).username()));
    });
  }

  /** The proven export of the matches as a JSON lines download ({@code docs/audit-log-format.md} section 7). */
  @Get("/export")
  @Produces({AuditExports.MEDIA_TYPE, MediaType.APPLICATION_JSON})
  public MutableHttpResponse<?> export(HttpRequest<?> request) {
    try {
      return exports.download(AuditFilters.of(request).query(), Access.require(request).username());
    } catch (IllegalArgumentException e) {
      return Problems.write(HttpStatus.BAD_REQUEST, e.getMessage(), "invalid_request");
    } catch (AuditRefusedException e) {
      return Problems.write(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage(), "audit_unavailable");
    }
  }

  @Get("/integrity")
  public MutableHttpResponse<?> integrity() {
    return AuditAnswers.run(HttpStatus.OK, () -> AuditViews.integrity(integrity.status()));
  }

  /** Verifies the whole log now (409 while another verification runs). */
  @Post(uri = "/verify", consumes = MediaType.ALL)
  public MutableHttpResponse<?> verify(HttpRequest<?> request) {
    return AuditAnswers.run(HttpStatus.OK,
        () -> AuditViews.verification(integrity.verifyNow(Access.require(request).username())));
  }

  /** Requests per UTC day and model or app: the numbers behind the console's charts. */
  @Get("/charts/requests")
  public MutableHttpResponse<?> requests(@Nullable @QueryValue String by, @Nullable @QueryValue String from,
      @Nullable @QueryValue String to) {
    return AuditAnswers.run(HttpStatus.OK, () -> {
      AuditIndex.GroupBy group = RequestCharts.groupBy(by);
      RequestCharts.Days days = RequestCharts.Days.of(time("from", from), time("to", to), Instant.now());
      List<DayCount> counts = RequestCharts.counts(search, days, group);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("by", group.name().toLowerCase(java.util.Locale.ROOT));
      out.put("from", days.from().toString());
      out.put("to", days.to().toString());
      out.put("totals", RequestCharts.totals(counts));
      out.put("data", counts.stream().map(c -> Map.of("day", c.day().toString(), "group", c.group(),
          "count", c.count())).toList());
      return out;
    });
  }

  static int limit(String limit) {
    if (limit == null || limit.isBlank()) return DEFAULT_LIMIT;
    try {
      return Integer.parseInt(limit.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'limit' must be a whole number of results per page, got '" + limit + "'");
    }
  }

  private static Optional<Instant> time(String name, String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(AuditFilters.parseTime(name, value.strip()));
  }
}
