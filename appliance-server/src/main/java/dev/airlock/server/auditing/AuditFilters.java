package dev.airlock.server.auditing;

import io.micronaut.http.HttpRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The audit search filters as query parameters, shared by the console's search page and the JSON
 * API: {@code from, to, app, user, subject, model, type, status, requestId} and the page
 * {@code cursor}. Times are UTC: an instant ({@code 2026-11-21T14:30:00Z}), a browser's
 * date-time field ({@code 2026-11-21T14:30}) or a date ({@code 2026-11-21}, its midnight).
 * Empty parameters mean "no filter", so a submitted form with blank fields matches everything.
 */
public final class AuditFilters {
  /** The filter parameters, in the order the form shows them. */
  public static final List<String> NAMES = List.of("from", "to", "app", "user", "subject", "model", "type", "status",
      "requestId");

  private final Map<String, String> values;

  private AuditFilters(Map<String, String> values) {
    this.values = values;
  }

  /** The non-blank filter parameters of the request (the cursor is not a filter). */
  public static AuditFilters of(HttpRequest<?> request) {
    Map<String, String> v = new LinkedHashMap<>();
    for (String name : NAMES) {
      request.getParameters().getFirst(name).map(String::strip).filter(s -> !s.isEmpty()).ifPresent(s -> v.put(name, s));
    }
    return new AuditFilters(v);
  }

  /** The value of one filter as given, or "" (for the form's fields). */
  public String get(String name) {
    return values.getOrDefault(name, "");
  }

  /** The filters as given, for echoing in the form and in JSON answers. */
  public Map<String, String> values() {
    return Map.copyOf(values);
  }

  /**
   * The service's query.
   *
   * @throws IllegalArgumentException a time that does not parse, or an empty time range
   */
  public AuditSearch.Query query() {
    AuditSearch.Query q = AuditSearch.Query.all();
    if (values.containsKey("from")) q = q.from(time("from"));
    if (values.containsKey("to")) q = q.to(time("to"));
    if (values.containsKey("app")) q = q.app(values.get("app"));
    if (values.containsKey("user")) q = q.user(values.get("user"));
    if (values.containsKey("subject")) q = q.subject(values.get("subject"));
    if (values.containsKey("model")) q = q.model(values.get("model"));
    if (values.containsKey("type")) q = q.type(values.get("type"));
    if (values.containsKey("status")) q = q.status(values.get("status"));
    if (values.containsKey("requestId")) q = q.requestId(values.get("requestId"));
    return q;
  }

  /** The time filter, if given and valid. */
  public Optional<Instant> instant(String name) {
    return values.containsKey(name) ? Optional.of(time(name)) : Optional.empty();
  }

  /** The filters as a query string ({@code a=b&c=d}, URL-encoded), empty when none is set. */
  public String queryString() {
    return values.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private Instant time(String name) {
    return parseTime(name, values.get(name));
  }

  /**
   * A UTC time as the filters accept it.
   *
   * @throws IllegalArgumentException it is none of the accepted shapes
   */
  public static Instant parseTime(String name, String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException notInstant) {
      try {
        return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException notLocal) {
        try {
          return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notDate) {
          throw new IllegalArgumentException("'" + name + "' must be a UTC time like 2026-11-21T14:30:00Z,"
              + " 2026-11-21T14:30 or 2026-11-21; got '" + value + "'");
        }
      }
    }
  }

  /** A time as a browser's date-time field shows it (UTC, to the minute). */
  public static String forInput(Instant t) {
    return LocalDateTime.ofInstant(t.truncatedTo(ChronoUnit.MINUTES), ZoneOffset.UTC).toString();
  }
}
