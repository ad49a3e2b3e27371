package dev.airlock.server.console;

import dev.airlock.server.apps.App;
import dev.airlock.server.apps.Apps;
import dev.airlock.server.apps.IssuedKey;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Role;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Apps and their API keys (ADMIN): list and create apps, change an app's limits and grants, issue,
 * rotate and revoke its keys. A new key's secret is shown once, on the page that made it.
 */
@Produces(MediaType.TEXT_HTML)
@Controller("/console/apps")
@ExecuteOn(TaskExecutors.BLOCKING)
@Allowed(Role.ADMIN)
public class AppsController {
  private final Apps apps;
  private final Pages pages;

  public AppsController(Apps apps, Pages pages) {
    this.apps = apps;
    this.pages = pages;
  }

  @Get
  public Object list(HttpRequest<?> request) {
    return pages.ok(listPage(request));
  }

  @Post(consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object create(HttpRequest<?> request, @Body Map<String, String> form) {
    try {
      Apps.Created c = apps.create(spec(form), Access.require(request).actorName());
      return pages.ok(appPage(request, c.app().id()).with("newKey", c.key())
          .notice("Created " + c.app().name() + ". Copy its API key below: it is shown only now."));
    } catch (RuntimeException e) {
      return pages.render(listPage(request).with("form", form).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  @Get("/{id}")
  public Object show(HttpRequest<?> request, @PathVariable String id) {
    try {
      return pages.ok(appPage(request, id));
    } catch (NoSuchElementException e) {
      return pages.render(listPage(request).error(PageErrors.message(e)), PageErrors.status(e));
    }
  }

  @Post(uri = "/{id}", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object update(HttpRequest<?> request, @PathVariable String id, @Body Map<String, String> form) {
    return change(request, id, () -> {
      App app = apps.update(id, spec(form), Access.require(request).actorName());
      return new Done("Saved the limits and grants of " + app.name() + ".", Optional.empty());
    });
  }

  @Post(uri = "/{id}/keys", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object issue(HttpRequest<?> request, @PathVariable String id) {
    return change(request, id, () -> new Done("Issued a new key. Copy it below: it is shown only now.",
        Optional.of(apps.issueKey(id, Access.require(request).actorName()))));
  }

  @Post(uri = "/{id}/keys/{keyId}/rotate", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object rotate(HttpRequest<?> request, @PathVariable String id, @PathVariable String keyId) {
    return change(request, id, () -> new Done("Key " + keyId + " is revoked and replaced. Copy the new key below:"
        + " it is shown only now.", Optional.of(apps.rotate(ownKey(id, keyId), Access.require(request).actorName()))));
  }

  @Post(uri = "/{id}/keys/{keyId}/revoke", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public Object revoke(HttpRequest<?> request, @PathVariable String id, @PathVariable String keyId) {
    return change(request, id, () -> {
      apps.revoke(ownKey(id, keyId), Access.require(request).actorName());
      return new Done("Key " + keyId + " is revoked: calls with it are refused from now on.", Optional.empty());
    });
  }

  /** What a change on an app's page says, and the key it issued (shown once). */
  private record Done(String notice, Optional<IssuedKey> newKey) {}

  private Object change(HttpRequest<?> request, String id, Supplier<Done> action) {
    Done done;
    try {
      done = action.get();
    } catch (RuntimeException e) {
      try {
        return pages.render(appPage(request, id).error(PageErrors.message(e)), PageErrors.status(e));
      } catch (NoSuchElementException unknown) {
        return pages.render(listPage(request).error(PageErrors.message(unknown)), PageErrors.status(unknown));
      }
    }
    Page page = appPage(request, id).notice(done.notice());
    done.newKey().ifPresent(k -> page.with("newKey", k));
    return pages.ok(page);
  }

  /** A key id from a form under this app's page must be one of this app's keys. */
  private String ownKey(String appId, String keyId) {
    if (apps.keys(appId).stream().noneMatch(k -> k.keyId().equals(keyId))) {
      throw new NoSuchElementException("app " + appId + " has no key '" + keyId + "'");
    }
    return keyId;
  }

  private Page listPage(HttpRequest<?> request) {
    List<Map<String, Object>> rows = apps.list().stream().map(a -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("app", a);
      List<Apps.KeyInfo> keys = apps.keys(a.id());
      m.put("grants", sorted(a));
      m.put("keyCount", keys.size());
      m.put("activeKeys", keys.stream().filter(k -> k.revokedAt().isEmpty()).count());
      return m;
    }).toList();
    return Page.of(request, "apps", "Apps and API keys").with("apps", rows).with("form", Map.of());
  }

  private Page appPage(HttpRequest<?> request, String id) {
    App app = apps.find(id).orElseThrow(() -> new NoSuchElementException("no app '" + id + "'"));
    return Page.of(request, "app", app.name()).with("app", app).with("grants", sorted(app))
        .with("grantsText", String.join("\n", sorted(app)))
        .with("keys", apps.keys(id));
  }

  private static List<String> sorted(App app) {
    return app.grants().stream().sorted().toList();
  }

  /** The form's fields as an app spec: blank numbers keep the default (or the current value). */
  static Apps.Spec spec(Map<String, String> form) {
    Long rpm = PageErrors.number(form.get("requestsPerMinute"), "Requests per minute");
    if (rpm != null && (rpm > Integer.MAX_VALUE || rpm < Integer.MIN_VALUE)) {
      throw new IllegalArgumentException("requests per minute is at most " + Integer.MAX_VALUE);
    }
    String grants = form.get("grants");
    List<String> list = grants == null ? null : Arrays.stream(grants.split("[,\\n\\r]+"))
        .map(String::strip).filter(g -> !g.isEmpty()).toList();
    return new Apps.Spec(form.get("name"), rpm == null ? null : rpm.intValue(),
        PageErrors.number(form.get("tokensPerMinute"), "Tokens per minute"),
        PageErrors.number(form.get("maxRequestBytes"), "Max request bytes"),
        form.get("subjectHeader") == null ? null : form.get("subjectHeader").strip(), list);
  }
}
