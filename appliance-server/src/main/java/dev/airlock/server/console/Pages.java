package dev.airlock.server.console;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.views.ViewsRenderer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Renders console pages with the Thymeleaf templates under {@code views/} into complete HTML
 * responses. Rendering here, rather than in a response filter, keeps every page's status and
 * headers in the controller's hands.
 */
@Singleton
public class Pages {
  private final ViewsRenderer<Map<String, Object>, HttpRequest<?>> renderer;

  public Pages(ViewsRenderer<Map<String, Object>, HttpRequest<?>> renderer) {
    this.renderer = renderer;
  }

  public MutableHttpResponse<String> ok(Page page) {
    return render(page, HttpStatus.OK);
  }

  public MutableHttpResponse<String> render(Page page, HttpStatus status) {
    StringWriter out = new StringWriter();
    try {
      renderer.render(page.viewName(), page.model(), page.request()).writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render console page " + page.viewName(), e);
    }
    return HttpResponse.<String>status(status).body(out.toString()).contentType(MediaType.TEXT_HTML_TYPE.toString() + ";charset=utf-8");
  }
}
