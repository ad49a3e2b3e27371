package dev.airlock.server.auth;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Strict security headers on every console response: a Content-Security-Policy that allows only
 * the appliance's own styles, scripts and images, no framing, no referrer to other sites, and no caching of pages.
 */
@ServerFilter({"/console", "/console/**"})
public class ConsoleHeaders {
  public static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self';"
      + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  @ResponseFilter
  public void headers(HttpRequest<?> request, MutableHttpResponse<?> response) {
    response.header("Content-Security-Policy", CSP);
    response.header("X-Content-Type-Options", "nosniff");
    response.header("X-Frame-Options", "DENY");
    // Not no-referrer: with it, browsers send "Origin: null" on form posts, which the HTTP layer's
    // CORS check refuses. same-origin still sends nothing to other sites.
    response.header("Referrer-Policy", "same-origin");
    response.header("Cross-Origin-Opener-Policy", "same-origin");
    if (!request.getPath().startsWith("/console/assets/")) response.header("Cache-Control", "no-store");
  }
}
