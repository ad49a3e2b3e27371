package dev.airlock.server.console;

import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Role;
import io.micronaut.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model every console page gets: its title, who is signed in (name, roles as flags for the
 * navigation), the CSRF token for its forms, and a one-line notice or error to show.
 */
public final class Page {
  private final HttpRequest<?> request;
  private final String view;
  private final Map<String, Object> model = new LinkedHashMap<>();

  private Page(HttpRequest<?> request, String view, String title) {
    this.request = request;
    this.view = view;
    model.put("title", title);
  }

  public static Page of(HttpRequest<?> request, String view, String title) {
    Page page = new Page(request, view, title);
    Access.principal(request).ifPresent(p -> {
      Map<String, Object> me = new LinkedHashMap<>();
      me.put("username", p.username());
      me.put("displayName", p.displayName());
      me.put("admin", p.has(Role.ADMIN));
      me.put("dpo", p.has(Role.DPO));
      me.put("auditor", p.has(Role.AUDITOR));
      me.put("roles", p.roles().stream().map(Role::name).sorted().toList());
      page.model.put("me", me);
      page.model.put("csrf", p.session().map(s -> s.csrfToken()).orElse(""));
    });
    page.model.put("path", request.getPath());
    return page;
  }

  public Page with(String key, Object value) {
    model.put(key, value);
    return this;
  }

  public Page notice(String message) {
    return with("notice", message);
  }

  public Page error(String message) {
    return with("error", message);
  }

  public String viewName() {
    return view;
  }

  public Map<String, Object> model() {
    return model;
  }

  public HttpRequest<?> request() {
    return request;
  }
}
