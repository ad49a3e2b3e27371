package dev.airlock.server.gateway;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.concurrent.CompletableFuture;

/**
 * The OpenAI-compatible routes. Bodies are taken as bytes so that fields the gateway does not
 * interpret pass through untouched. The inference routes run on the server's event loop and never
 * block it ({@link Gateway#infer} answers with a future); the others run on virtual threads.
 */
@Controller("/v1")
public class GatewayController {
  private final Gateway gateway;

  public GatewayController(Gateway gateway) {
    this.gateway = gateway;
  }

  @Get("/models")
  @ExecuteOn(TaskExecutors.VIRTUAL)
  public MutableHttpResponse<?> models(HttpRequest<?> request) {
    return written(gateway.listModels(headersOf(request)));
  }

  @Get("/models/{+id}")
  @ExecuteOn(TaskExecutors.VIRTUAL)
  public MutableHttpResponse<?> model(HttpRequest<?> request, @PathVariable String id) {
    return written(gateway.getModel(headersOf(request), id));
  }

  @Post(uri = "/chat/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
  public CompletableFuture<MutableHttpResponse<?>> chat(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return gateway.infer("/v1/chat/completions", headersOf(request), body).thenApply(GatewayController::written);
  }

  @Post(uri = "/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
  public CompletableFuture<MutableHttpResponse<?>> completions(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return gateway.infer("/v1/completions", headersOf(request), body).thenApply(GatewayController::written);
  }

  @Post(uri = "/embeddings", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public CompletableFuture<MutableHttpResponse<?>> embeddings(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return gateway.infer("/v1/embeddings", headersOf(request), body).thenApply(GatewayController::written);
  }

  @Post(uri = "/rerank", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public CompletableFuture<MutableHttpResponse<?>> rerank(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return gateway.infer("/v1/rerank", headersOf(request), body).thenApply(GatewayController::written);
  }

  @Post(uri = "/score", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public CompletableFuture<MutableHttpResponse<?>> score(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return gateway.infer("/v1/score", headersOf(request), body).thenApply(GatewayController::written);
  }

  /** Anything else under /v1: not a route (nothing is ever forwarded but the routes above). */
  @Get("/{+path}")
  public MutableHttpResponse<?> otherGet(HttpRequest<?> request, @PathVariable String path) {
    return unknown(request);
  }

  @Post(uri = "/{+path}", consumes = MediaType.ALL)
  public MutableHttpResponse<?> otherPost(HttpRequest<?> request, @PathVariable String path) {
    return unknown(request);
  }

  @io.micronaut.http.annotation.Put(uri = "/{+path}", consumes = MediaType.ALL)
  public MutableHttpResponse<?> otherPut(HttpRequest<?> request, @PathVariable String path) {
    return unknown(request);
  }

  @io.micronaut.http.annotation.Delete("/{+path}")
  public MutableHttpResponse<?> otherDelete(HttpRequest<?> request, @PathVariable String path) {
    return unknown(request);
  }

  private static GatewayRequest headersOf(HttpRequest<?> request) {
    return name -> request.getHeaders().get(name);
  }

  /** The gateway's answer as Micronaut writes it; GatewayFastPath writes the same on the pipeline. */
  static MutableHttpResponse<?> written(GatewayAnswer answer) {
    MutableHttpResponse<?> response = answer.streamed()
        ? HttpResponse.ok(answer.events()).contentType(MediaType.TEXT_EVENT_STREAM_TYPE)
        : HttpResponse.status(HttpStatus.valueOf(answer.status())).body(answer.body()).contentType(MediaType.APPLICATION_JSON_TYPE);
    answer.headers().forEach(response::header);
    return response;
  }

  private static MutableHttpResponse<?> unknown(HttpRequest<?> request) {
    String path = request.getPath();
    boolean postRoute = GatewayFastPath.ROUTES.contains(path);
    if (postRoute) {
      return GatewayErrors.answer(HttpStatus.METHOD_NOT_ALLOWED, "Method " + request.getMethodName()
          + " is not allowed on " + path + "; allowed: POST.", "method_not_allowed").header("Allow", "POST");
    }
    return GatewayErrors.answer(HttpStatus.NOT_FOUND, "There is no route " + request.getMethodName() + " " + path
        + ". The OpenAI-compatible routes are /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/rerank, /v1/score"
        + " and /v1/models.",
        "unknown_route");
  }
}
