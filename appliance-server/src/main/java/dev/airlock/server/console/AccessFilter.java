package dev.airlock.server.console;

import dev.airlock.server.auth.Access;
import dev.airlock.server.vocabulary.Problems;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.ServerHttpRequest;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.body.ByteBody;
import io.micronaut.http.body.CloseableByteBody;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.web.router.RouteMatch;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Puts {@link Access} in front of every console page, admin API route and /metrics. JSON callers
 * get OpenAI-shaped errors; browsers get the sign-in page (401) or a page saying what is missing
 * (403).
 */
@ServerFilter({"/console", "/console/**", "/admin/**", "/metrics", "/metrics/**"})
public class AccessFilter {
  private static final int MAX_FORM_BYTES = 1 << 20;
  /** Refused bodies up to this size are read and dropped rather than cut off; see {@link #check}. */
  public static final long DRAIN_LIMIT = 1L << 30;

  private final Access access;
  private final Pages pages;

  public AccessFilter(Access access, Pages pages) {
    this.access = access;
    this.pages = pages;
  }

  @RequestFilter
  @ExecuteOn(TaskExecutors.BLOCKING)
  @Nullable
  public HttpResponse<?> check(HttpRequest<?> request, @Nullable RouteMatch<?> route) {
    if (route == null) return null; // static assets and unknown paths: nothing to guard, 404 follows
    Access.Rule rule = Access.Rule.of(route.getAnnotationMetadata());
    Access.Decision d = access.decide(request, rule, formCsrf(request));
    if (d instanceof Access.Let let) {
      let.principal().ifPresent(p -> request.setAttribute(Access.PRINCIPAL, p));
      return null;
    }
    Access.Denied denied = ((Access.Refuse) d).denied();
    MutableHttpResponse<?> refusal = isConsole(request) ? consoleRefusal(request, denied) : jsonRefusal(denied);
    // A refused request's body is never used. Up to DRAIN_LIMIT the server reads and drops it and
    // keeps the connection, so the client surely reads the refusal (closing with unread bytes makes
    // the kernel reset the connection, which can destroy the answer before the client reads it);
    // a larger or unsized body is cut off instead of drained.
    long length = request.getContentLength();
    boolean drain = Access.isSafe(request.getMethod()) || (length >= 0 && length <= DRAIN_LIMIT);
    return drain ? refusal : refusal.header(HttpHeaders.CONNECTION, "close");
  }

  static boolean isConsole(HttpRequest<?> request) {
    String p = request.getPath();
    return p.equals("/console") || p.startsWith("/console/");
  }

  private MutableHttpResponse<?> consoleRefusal(HttpRequest<?> request, Access.Denied denied) {
    if (denied.status() == 401 && Access.isSafe(request.getMethod())) {
      String next = request.getUri().getRawPath() + (request.getUri().getRawQuery() == null ? "" : "?" + request.getUri().getRawQuery());
      return HttpResponse.seeOther(java.net.URI.create("/console/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8)));
    }
    if (denied.code().equals("password_change_required") && Access.isSafe(request.getMethod())) {
      return HttpResponse.seeOther(java.net.URI.create("/console/account"));
    }
    Page page = Page.of(request, "denied", denied.status() == 401 ? "Signed out" : "Not allowed")
        .with("message", denied.message());
    return pages.render(page, HttpStatus.valueOf(denied.status()));
  }

  static MutableHttpResponse<?> jsonRefusal(Access.Denied denied) {
    return Problems.write(HttpStatus.valueOf(denied.status()), denied.message(), denied.code());
  }

  /** The _csrf field of a small url-encoded form body, read from a copy so the controller still gets the body. */
  private static Optional<String> formCsrf(HttpRequest<?> request) {
    if (Access.isSafe(request.getMethod()) || !isConsole(request)) return Optional.empty();
    if (!request.getContentType().map(t -> t.matches(MediaType.APPLICATION_FORM_URLENCODED_TYPE)).orElse(false)) {
      return Optional.empty();
    }
    if (!(request instanceof ServerHttpRequest<?> server)) return Optional.empty();
    try (CloseableByteBody copy = server.byteBody().split(ByteBody.SplitBackpressureMode.SLOWEST).allowDiscard();
         InputStream in = copy.toInputStream()) {
      byte[] body = in.readNBytes(MAX_FORM_BYTES);
      for (String pair : new String(body, StandardCharsets.US_ASCII).split("&")) {
        if (pair.startsWith(Access.CSRF_FIELD + "=")) {
          return Optional.of(URLDecoder.decode(pair.substring(Access.CSRF_FIELD.length() + 1), StandardCharsets.UTF_8));
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
