package dev.airlock.server.gateway;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** The OpenAI-compatible routes. Bodies are taken as bytes so that fields the gateway does not interpret pass through untouched. */
@Controller("/v1")
@ExecuteOn(TaskExecutors.VIRTUAL)
public class GatewayController {
  private final Gateway gateway;

  public GatewayController(Gateway gateway) {
    this.gateway = gateway;
  }

  @Get("/models")
  public MutableHttpResponse<?> models(HttpRequest<?> request) {
    return gateway.listModels(request);
  }

  @Get("/models/{+id}")
  public MutableHttpResponse<?> model(HttpRequest<?> request, @PathVariable String id) {
    return gateway.getModel(request, id);
  }

  @Post(uri = "/chat/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
  public MutableHttpResponse<?> chat(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return gateway.infer("/v1/chat/completions", request, body);
  }

  @Post(uri = "/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
  public MutableHttpResponse<?> completions(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return gateway.infer("/v1/completions", request, body);
  }

  @Post(uri = "/embeddings", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public MutableHttpResponse<?> embeddings(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return gateway.infer("/v1/embeddings", request, body);
  }
}
