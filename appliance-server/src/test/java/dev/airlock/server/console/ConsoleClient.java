package dev.airlock.server.console;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A browser-like client for console tests: keeps cookies, does not follow redirects, reads forms' CSRF tokens. */
public final class ConsoleClient {
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]*)\"");

  private final URI base;
  private final HttpClient http;
  private String lastCsrf = "";

  public ConsoleClient(URI base) {
    this.base = base;
    this.http = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return remember(http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** Posts a form with the CSRF token of the last page read. */
  public HttpResponse<String> post(String path, Map<String, String> fields) throws IOException, InterruptedException {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("_csrf", lastCsrf);
    all.putAll(fields);
    return postRaw(path, all);
  }

  /** Posts exactly these fields: no CSRF token unless given. */
  public HttpResponse<String> postRaw(String path, Map<String, String> fields) throws IOException, InterruptedException {
    String body = fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return remember(http.send(HttpRequest.newBuilder(base.resolve(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** Signs in through the form; returns the answer to the form post. */
  public HttpResponse<String> signIn(String username, String password) throws IOException, InterruptedException {
    get("/console/login");
    return post("/console/login", Map.of("username", username, "password", password));
  }

  public String csrf() {
    return lastCsrf;
  }

  private HttpResponse<String> remember(HttpResponse<String> r) {
    Matcher m = CSRF.matcher(r.body());
    if (m.find()) lastCsrf = m.group(1);
    return r;
  }
}
